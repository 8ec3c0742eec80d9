"""Demo data around the meeting: the RSVP questions and answers, today's session, the past
edition with its survey answers, and the concerns taken in charge (all invented)."""

# Everything below is data shown to users, so it is written in Arabic and French; people
# are named as in demo/members.csv (all invented).

# The RSVP questions of the main meeting. Choices are one per line, in the same order.
TRADE_CHOICES = {
    "private_education": 0,
    "accounting": 1,
    "market_trader": 2,
    "crafts": 3,
    "services": 4,
    "construction": 5,
}
OTHER_TRADE = 6
RSVP_QUESTIONS = [
    {
        "key": "concern",
        "kind": "long_text",
        "label_ar": "ما الانشغال الذي تودّون طرحه على الصندوق الوطني للضمان الاجتماعي؟",
        "label_fr": "Quelle préoccupation souhaitez-vous soulever auprès de la CNSS ?",
        "help_ar": "سيُحال انشغالكم على المصلحة المعنية ويُتابَع بعد اللقاء.",
        "help_fr": (
            "Votre préoccupation sera transmise au service concerné et suivie après la rencontre."
        ),
        "choices_ar": "",
        "choices_fr": "",
        "required": False,
        "is_concern": True,
    },
    {
        "key": "trade",
        "kind": "single_choice",
        "label_ar": "حرفتكم",
        "label_fr": "Votre métier",
        "help_ar": "",
        "help_fr": "",
        "choices_ar": "التعليم الخصوصي\nالمحاسبة\nتجارة السوق\nالحرف والصناعة التقليدية\n"
        "الخدمات\nالبناء والأشغال\nنشاط آخر",
        "choices_fr": "Enseignement privé\nComptabilité\nCommerce au marché\nArtisanat\n"
        "Services\nBâtiment et travaux\nAutre activité",
        "required": True,
        "is_concern": False,
    },
    {
        "key": "damancom",
        "kind": "yes_no",
        "label_ar": "هل تستعملون بوابة «ضمان كوم» حاليا؟",
        "label_fr": "Utilisez-vous déjà le portail Damancom ?",
        "help_ar": "",
        "help_fr": "",
        "choices_ar": "",
        "choices_fr": "",
        "required": False,
        "is_concern": False,
    },
]

# About fifteen answers to the main meeting's invitations: accepted with or without a
# companion, a few declined with a reason. "concern" answers become follow-ups.
MAIN_RSVPS = [
    {
        "name": "حميد بوزيدي",
        "accept": True,
        "companions": ["سعيد بوزيدي"],
        "damancom": "yes",
        "concern": "أؤدي اشتراكات أساتذة المؤسسة كل شهر، لكن البوابة ما زالت تُظهر متأخرات "
        "عن سنة 2016 لم أفهم مصدرها.",
    },
    {
        "name": "نعيمة الطاهري",
        "accept": True,
        "companions": [],
        "damancom": "yes",
        "concern": "كيف يمكن لمكتب المحاسبة أن يصرّح باسم عدة زبناء دون إنشاء حساب لكل مقاولة؟",
    },
    {"name": "محمد أمين الزياني", "accept": True, "companions": [], "damancom": "no"},
    {
        "name": "سعاد بنعيسى",
        "accept": True,
        "companions": ["مريم بنعيسى"],
        "damancom": "no",
        "concern": "أنا صانعة تقليدية أشتغل وحدي: هل يشملني قانون التغطية الصحية الجديد، "
        "وكم سيكون الاشتراك؟",
    },
    {
        "name": "مصطفى أعراب",
        "accept": False,
        "reason": "سأكون في السوق الأسبوعي بزايو ذلك اليوم.",
    },
    {"name": "خالد البقالي", "accept": True, "companions": [], "damancom": "yes"},
    {
        "name": "لطيفة الرحموني",
        "accept": True,
        "companions": [],
        "damancom": "no",
        "concern": "نحن تجار سوق المركب: من يصرّح بالمساعدين الموسميين في فترة الأعياد؟",
    },
    {
        "name": "Karim Ouchen",
        "accept": True,
        "companions": ["Salma Ouchen"],
        "damancom": "yes",
        "concern": "Les pénalités de retard sont calculées alors que la plateforme Damancom "
        "était indisponible le dernier jour de déclaration. Peut-on demander une remise ?",
    },
    {
        "name": "Nadia Azzouzi",
        "accept": False,
        "reason": "Réunion de parents d’élèves à la crèche ce jour-là, désolée.",
    },
    {"name": "Mohamed Lamrini", "accept": True, "companions": [], "damancom": "yes"},
    {
        "name": "Zineb Boukili",
        "accept": True,
        "companions": [],
        "damancom": "no",
        "concern": "Comment affilier ma première salariée alors que mon entreprise est "
        "encore au statut d’auto-entrepreneur ?",
    },
    {
        "name": "Hicham Yahyaoui",
        "accept": True,
        "companions": ["Youness Yahyaoui"],
        "damancom": "yes",
    },
    {
        "name": "Samia Bensaid",
        "accept": False,
        "reason": "Je serai à Casablanca pour un salon professionnel.",
    },
    {"name": "Tarik Souissi", "accept": True, "companions": [], "damancom": "yes"},
    {
        "name": "Nabil Fathi",
        "accept": False,
        "reason": "Le président sera représenté par le directeur de la Chambre.",
    },
]

TODAY_SUFFIX = {"ar": " — جلسة اليوم", "fr": " — session d’aujourd’hui"}
TODAY_CAPACITY = 60
# Today's session: these people have accepted and hold a ticket; the first few have
# already come in at door A, as a door agent would see at the start of a session.
TODAY_GUESTS = [
    ("عبد اللطيف بنعلي", []),
    ("Meriem Rachidi", []),
    ("حميد بوزيدي", []),
    ("نعيمة الطاهري", ["هشام الطاهري"]),
    ("Karim Ouchen", []),
    ("Youssef Tayebi", []),
    ("جمال الورياشي", []),
    ("حسن أقشار", ["يوسف أقشار"]),
    ("سميرة الشاوي", []),
    ("ياسين بوهوت", []),
    ("عزيز أزواغ", []),
    ("حفيظة المختاري", ["أمينة المختاري"]),
    ("Said Haddouchi", []),
    ("Omar Kaddour", []),
    ("Anas Ziane", []),
    ("Rachida Laghmari", ["Hajar Laghmari"]),
    ("Brahim Amrouch", []),
    ("Khadija Bouarfa", []),
    ("Mourad Akkouh", []),
    ("Imane Chafik", []),
    ("Abdelaziz Ourahou", []),
    ("Fouad Belkadi", []),
    ("Laila Bakkar", []),
    ("Hanane El Idrissi", ["Sara El Idrissi"]),
    ("نور الدين الحراق", []),
]
TODAY_CHECKED_IN = 5

PAST_SUFFIX = {"ar": " — الدورة السابقة", "fr": " — édition précédente"}
PAST_CAPACITY = 80
# The past edition: 30 guests accepted, all but two came in (the no-show list has them).
PAST_GUESTS = [
    "حميد بوزيدي",
    "نعيمة الطاهري",
    "محمد أمين الزياني",
    "سعاد بنعيسى",
    "عبد الرحيم المرابط",
    "رشيد الحداوي",
    "فاطمة الزهراء القدوري",
    "مصطفى أعراب",
    "خالد البقالي",
    "إلهام الميموني",
    "جمال الورياشي",
    "حسن أقشار",
    "سميرة الشاوي",
    "لطيفة الرحموني",
    "إدريس التمسماني",
    "Karim Ouchen",
    "Nadia Azzouzi",
    "Mohamed Lamrini",
    "Zineb Boukili",
    "Hicham Yahyaoui",
    "Samia Bensaid",
    "Anas Ziane",
    "Khadija Bouarfa",
    "Youssef Tayebi",
    "Tarik Souissi",
    "Hanane El Idrissi",
    "Laila Bakkar",
    "Meriem Rachidi",
    "عبد اللطيف بنعلي",
    "Mounir Azzaoui",
]
PAST_NO_SHOWS = {"Laila Bakkar", "إدريس التمسماني"}

# Answers to the default survey, in its order: overall, usefulness, clarity (1-5), would
# come again, topics, a problem still unresolved (a concern: becomes a follow-up), comment.
SURVEY_ANSWERS = [
    (5, 5, 4, True, "التصريح بالأجراء الموسميين", "", "لقاء مفيد جدا وصريح، شكرا للمنظمين."),
    (4, 5, 4, True, "", "", ""),
    (
        5,
        4,
        5,
        True,
        "Le calendrier de la couverture médicale des indépendants",
        "",
        "Enfin des réponses claires, merci à la directrice régionale.",
    ),
    (3, 3, 2, True, "", "", "الوقت المخصص للأسئلة كان قصيرا."),
    (
        4,
        4,
        3,
        True,
        "",
        "طلبت شهادة عدم المديونية منذ شهرين ولم أتوصل بها بعد، وأحتاجها لصفقة عمومية.",
        "",
    ),
    (5, 5, 5, True, "الأداء الإلكتروني عبر البنك", "", ""),
    (2, 3, 2, False, "", "", "La salle était trop petite pour tout le monde."),
    (
        4,
        3,
        4,
        True,
        "",
        "Mon dossier de remboursement des allocations familiales est bloqué à l’agence "
        "de Nador depuis mars.",
        "",
    ),
    (5, 4, 4, True, "", "", ""),
    (4, 4, 4, True, "Damancom sur téléphone", "", ""),
    (
        3,
        4,
        3,
        True,
        "",
        "لا أستطيع الولوج إلى حسابي في «ضمان كوم» بعد تغيير رقم الهاتف المسجل.",
        "",
    ),
    (5, 5, 4, True, "", "", "نرجو تنظيم لقاء مماثل في الدريوش."),
    (4, 5, 5, True, "", "", ""),
    (1, 2, 2, False, "", "", "Beaucoup de discours, peu de temps pour nos questions."),
    (4, 4, 3, True, "La retraite des commerçants", "", ""),
    (5, 5, 5, True, "", "", "Merci pour le thé et l’accueil !"),
    (
        3,
        3,
        4,
        True,
        "",
        "On m’a facturé des majorations sur une période où mon atelier était fermé.",
        "",
    ),
    (4, 4, 4, True, "التغطية الصحية للمقاول الذاتي", "", ""),
    (5, 4, 5, True, "", "", ""),
    (4, 3, 4, True, "", "", "Présentation claire, mais les chiffres étaient difficiles à lire."),
]

# Problems taken in charge by hand during the questions and answers, as in the article.
QA_CONCERNS = [
    {
        "guest": "سعاد بنعيسى",
        "text": "صاحبة ورشة خياطة: توقفت تعويضاتها عن المرض بعد تغيير عنوان الورشة، "
        "وتكفل رئيس وكالة الناظور بملفها شخصيا.",
        "question": "أسئلة وأجوبة",
    },
    {
        "guest": "Hicham Yahyaoui",
        "text": "Électricien : sa déclaration de salaires de juin a été rejetée par Damancom "
        "sans message d’erreur ; le représentant du recouvrement a pris ses coordonnées.",
        "question": "Questions-réponses",
    },
]
# How the organiser has worked the follow-up board since (by the text of each concern).
FOLLOWUP_WORK = [
    {
        "text_starts": "صاحبة ورشة خياطة",
        "status": "resolved",
        "partner": "cnss",
        "department": "وكالة الناظور",
        "resolution": "تم تحيين عنوان الورشة في ملفها لدى الصندوق واستُؤنف صرف التعويضات.",
        "days_after": 9,
    },
    {
        "text_starts": "Électricien",
        "status": "in_progress",
        "partner": "cnss",
        "department": "Recouvrement",
        "resolution": "",
        "days_after": 3,
    },
    {
        "text_starts": "طلبت شهادة عدم المديونية",
        "status": "in_progress",
        "partner": "cnss",
        "department": "وكالة الناظور",
        "resolution": "",
        "days_after": 5,
    },
]
# The organisers' notes in the past edition's meeting report.
PAST_REPORT_NOTES = (
    "التزم ممثلو الضمان الاجتماعي بالإجابة عن كل الحالات المطروحة خلال أسبوعين، "
    "وبتنظيم حصة تطبيقية حول «ضمان كوم» في الشهر المقبل."
)
# The CNSS partner account's answer to one concern of the past edition.
PARTNER_ANSWER = {
    "text_starts": "طلبت شهادة عدم المديونية",
    "body": "المرجو إحضار آخر ثلاثة كشوف أداء ونسخة من السجل التجاري إلى وكالة الناظور "
    "لتسوية الملف وتسليم الشهادة.",
    "days_after": 7,
}
