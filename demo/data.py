"""Demo data for Liqaa: one organisation, its partners, one meeting and its guests.

The meeting follows the press report of the information meeting held in Nador on
25 October 2018 (CNSS online services "Damancom" and health coverage for the
self-employed). Every personal name, company, email address, phone number, ICE
and CNSS number below is invented; speakers are named by their role only.
"""

from datetime import time
from pathlib import Path

DEMO_PASSWORD = "liqaa-demo-2018"

ORGANISATION = {
    "slug": "demo",
    "name_fr": "Association des très petites entreprises",
    "name_ar": "جمعية المقاولات الصغرى جدا",
    "name_en": "Association of Very Small Enterprises",
    "sender_name": "Association des TPE – Nador",
    "city": "Nador",
    "consent_text_ar": "أوافق على أن تتواصل معي الجمعية بخصوص لقاءاتها (القانون 09-08).",
    "consent_text_fr": (
        "J’accepte que l’association me contacte au sujet de ses rencontres (loi 09-08)."
    ),
    "consent_text_en": (
        "I agree that the association may contact me about its meetings (law 09-08)."
    ),
}

PARTNERS = [
    {
        "key": "cnss",
        "name_fr": "Direction régionale de la CNSS de l’Oriental (Oujda)",
        "name_ar": "المديرية الجهوية للصندوق الوطني للضمان الاجتماعي بوجدة",
        "name_en": "CNSS Regional Directorate of the Oriental (Oujda)",
        "kind": "public_body",
    },
    {
        "key": "ccis",
        "name_fr": "Chambre de commerce, d’industrie et de services de la région de l’Oriental",
        "name_ar": "غرفة التجارة والصناعة والخدمات لجهة الشرق",
        "name_en": "Oriental Regional Chamber of Commerce, Industry and Services",
        "kind": "public_body",
    },
    {
        "key": "cri",
        "name_fr": "Centre régional d’investissement de l’Oriental",
        "name_ar": "المركز الجهوي للاستثمار لجهة الشرق",
        "name_en": "Oriental Regional Investment Centre",
        "kind": "public_body",
    },
    {
        "key": "commerce",
        "name_fr": "Délégation du commerce et de l’industrie de Nador",
        "name_ar": "مندوبية التجارة والصناعة بالناظور",
        "name_en": "Trade and Industry Delegation, Nador",
        "kind": "public_body",
    },
    {
        "key": "private_schools",
        "name_fr": "Ligue de l’enseignement privé",
        "name_ar": "رابطة التعليم الخصوصي",
        "name_en": "Private Education League",
        "kind": "association",
    },
    {
        "key": "accountants",
        "name_fr": "Ligue des comptables",
        "name_ar": "رابطة المحاسبين",
        "name_en": "Accountants' League",
        "kind": "association",
    },
    {
        "key": "market",
        "name_fr": "Association des commerçants du marché du Complexe",
        "name_ar": "جمعية سوق المركب",
        "name_en": "Complex Market Traders' Association",
        "kind": "association",
    },
]

EVENT = {
    "title_ar": "لقاء تواصلي حول خدمات «ضمان كوم» والتغطية الصحية للمهنيين",
    "title_fr": (
        "Rencontre d’information : services en ligne Damancom "
        "et couverture médicale des indépendants"
    ),
    "title_en": (
        "Information meeting: Damancom online services and health coverage for the self-employed"
    ),
    "description_ar": (
        "لقاء تواصلي تنظمه جمعية المقاولات الصغرى جدا بشراكة مع المديرية الجهوية "
        "للصندوق الوطني للضمان الاجتماعي بوجدة، لفائدة المقاولات الصغرى "
        "والمهنيين المصرّح بهم لدى الصندوق. "
        "يقدم اللقاء خدمات «ضمان كوم» الإلكترونية، من التصريح إلى الأداء، مرورا بالتواصل "
        "الهاتفي والتذكير، ومقاربة القرب والصلح في حالة النزاع. "
        "كما يتطرق إلى القانون المرتقب الذي سيدخل نحو ستة ملايين من المهنيين وأرباب المقاولات "
        "والمقاولين الذاتيين في منظومة التغطية الصحية، متبوعا بنقاش مفتوح حول الانشغالات اليومية "
        "للمقاولين."
    ),
    "description_fr": (
        "Rencontre d’information organisée par l’Association des très petites entreprises avec "
        "la direction régionale de la CNSS d’Oujda, au profit des petites entreprises et des "
        "professionnels affiliés. Présentation des services en ligne Damancom : déclaration, "
        "paiement, rappels par téléphone, démarche de proximité et conciliation en cas de litige. "
        "Point sur la loi à venir qui fera entrer environ six millions de professionnels, chefs "
        "d’entreprise et auto-entrepreneurs dans la couverture médicale, suivi d’un échange "
        "ouvert sur les difficultés du quotidien."
    ),
    "description_en": (
        "An information meeting organised by the Association of Very Small Enterprises with the "
        "CNSS regional directorate in Oujda, for small businesses and affiliated professionals. "
        "It presents the Damancom online services: declarations, payments, phone reminders, "
        "and a local, conciliatory approach to disputes. It also covers the coming law that will "
        "bring about six million self-employed people and business owners into health coverage, "
        "followed by an open discussion of members' day-to-day problems."
    ),
    # The venue in each language; the address as on the maps, in Latin letters (an Arabic
    # line shows it isolated, left to right).
    "venue_name_ar": "قاعة الاجتماعات الجديدة لوكالة الضمان الاجتماعي بالناظور",
    "venue_name_fr": "Nouvelle salle de réunion de l’agence CNSS de Nador",
    "venue_address": "Boulevard Hassan II, 62000 Nador",
    "map_url": "https://www.openstreetmap.org/?mlat=35.1681&mlon=-2.9335#map=17/35.1681/-2.9335",
    "start_time": time(15, 30),
    "end_time": time(19, 30),
    "capacity": 120,
    "max_companions": 1,
    "co_hosts": ["cnss"],
}

PROGRAMME = [
    {
        "time": time(15, 30),
        "title_ar": "افتتاح اللقاء بتلاوة آيات بينات من الذكر الحكيم",
        "title_fr": "Ouverture par une récitation du Saint Coran",
        "title_en": "Opening recitation from the Holy Quran",
        "speaker_ar": "مهندس بالمديرية الجهوية للضمان الاجتماعي",
        "speaker_fr": "Un ingénieur de la direction régionale de la CNSS",
        "speaker_en": "An engineer from the CNSS regional directorate",
    },
    {
        "time": time(15, 40),
        "title_ar": "كلمة ترحيبية ووضع اللقاء في سياقه العام",
        "title_fr": "Mot de bienvenue et contexte de la rencontre",
        "title_en": "Welcome address and context of the meeting",
        "speaker_ar": "المديرة الجهوية للصندوق الوطني للضمان الاجتماعي",
        "speaker_fr": "La directrice régionale de la CNSS",
        "speaker_en": "The CNSS regional director",
    },
    {
        "time": time(15, 55),
        "title_ar": "كلمة رئيس الجمعية: أهمية التغطية الصحية في مسار المقاولة الصغرى",
        "title_fr": "Allocution du président : la couverture médicale, un enjeu vital pour les TPE",
        "title_en": "President's address: why health coverage is vital for small firms",
        "speaker_ar": "رئيس جمعية المقاولات الصغرى جدا",
        "speaker_fr": "Le président de l’Association des très petites entreprises",
        "speaker_en": "The president of the Association of Very Small Enterprises",
    },
    {
        "time": time(16, 15),
        "title_ar": (
            "عرض مفصل، بالأرقام والمبيانات، حول خدمات «ضمان كوم» الإلكترونية "
            "ومستجدات قانون التغطية الصحية للمهنيين"
        ),
        "title_fr": (
            "Présentation chiffrée des services en ligne Damancom "
            "et de la future loi sur la couverture médicale des indépendants"
        ),
        "title_en": (
            "Damancom online services in figures and charts, "
            "and the coming health-coverage law for the self-employed"
        ),
        "speaker_ar": "المديرة الجهوية للصندوق الوطني للضمان الاجتماعي",
        "speaker_fr": "La directrice régionale de la CNSS",
        "speaker_en": "The CNSS regional director",
    },
    {
        "time": time(17, 15),
        "title_ar": "أسئلة وأجوبة مفتوحة مع المقاولين الحاضرين",
        "title_fr": "Questions-réponses ouvertes avec les entrepreneurs présents",
        "title_en": "Open questions and answers with the entrepreneurs present",
        "speaker_ar": (
            "المديرة الجهوية، وممثلا قسمي المراقبة والتفتيش والتحصيل، ورئيس وكالة الناظور"
        ),
        "speaker_fr": (
            "La directrice régionale, les représentants du contrôle et du recouvrement, "
            "le chef de l’agence de Nador"
        ),
        "speaker_en": (
            "The regional director, the inspection and collection representatives, "
            "and the head of the Nador agency"
        ),
    },
    {
        "time": time(18, 45),
        "title_ar": "حفل شاي على شرف الحاضرين",
        "title_fr": "Réception autour d’un thé",
        "title_en": "Tea reception",
        "speaker_ar": "بدعوة من المديرية الجهوية للضمان الاجتماعي",
        "speaker_fr": "Offerte par la direction régionale de la CNSS",
        "speaker_en": "Hosted by the CNSS regional directorate",
    },
]

# The members and officials are demo/members.csv, loaded through the member importer as
# an association's own list would be (so the demo exercises the import too).
MEMBERS_CSV = Path(__file__).with_name("members.csv")

STAFF = [
    {
        "email": "owner@demo.liqaa.example",
        "full_name": "Rachid Azzouz",
        "role": "owner",
        "locale": "fr",
        "password_hint": None,
    },
    {
        "email": "organiser@demo.liqaa.example",
        "full_name": "سناء البوعناني",
        "role": "organiser",
        "locale": "ar",
        "password_hint": None,
    },
    {
        "email": "door@demo.liqaa.example",
        "full_name": "أيوب القاسمي",
        "role": "door",
        "locale": "ar",
        "password_hint": None,
    },
    {
        "email": "cnss@demo.liqaa.example",
        "full_name": "نادية المرابط",
        "role": "partner",
        "partner": "cnss",  # answers the follow-ups routed to the CNSS
        "locale": "ar",
        "password_hint": None,
    },
]
