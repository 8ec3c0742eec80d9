"""The survey every event starts with, in Arabic and French (stored data, not UI text)."""

from __future__ import annotations

from blueprints.surveys.models import QuestionKind

TITLE = {"ar": "رأيكم في اللقاء", "fr": "Votre avis sur la rencontre"}
INTRO = {
    "ar": "شكرًا على حضوركم. أجوبتكم تساعدنا على تحسين اللقاءات القادمة وعلى متابعة انشغالاتكم.",
    "fr": (
        "Merci de votre présence. Vos réponses nous aident à améliorer les prochaines "
        "rencontres et à suivre vos préoccupations."
    ),
}

# (kind, required, is_concern, Arabic label, French label)
QUESTIONS: tuple[tuple[QuestionKind, bool, bool, str, str], ...] = (
    (
        QuestionKind.RATING,
        True,
        False,
        "ما مدى رضاكم العام عن اللقاء؟",
        "Dans l’ensemble, êtes-vous satisfait(e) de la rencontre\u202f?",
    ),
    (
        QuestionKind.RATING,
        False,
        False,
        "ما مدى فائدة المعلومات التي قُدّمت؟",
        "Les informations présentées vous ont-elles été utiles\u202f?",
    ),
    (
        QuestionKind.RATING,
        False,
        False,
        "ما مدى وضوح الأجوبة وصراحتها؟",
        "Les réponses étaient-elles claires et franches\u202f?",
    ),
    (
        QuestionKind.YES_NO,
        True,
        False,
        "هل ستحضرون لقاءً مماثلًا مرة أخرى؟",
        "Viendriez-vous à une prochaine rencontre\u202f?",
    ),
    (
        QuestionKind.LONG_TEXT,
        False,
        False,
        "ما المواضيع التي تقترحونها للقاء القادم؟",
        "Quels sujets proposez-vous pour la prochaine rencontre\u202f?",
    ),
    (
        QuestionKind.LONG_TEXT,
        False,
        True,
        "هل لديكم انشغال لم يُحلّ بعد وتريدون أن نتابعه؟",
        "Avez-vous une préoccupation encore sans solution que nous devrions suivre\u202f?",
    ),
    (QuestionKind.LONG_TEXT, False, False, "تعليق حر", "Commentaire libre"),
)
