"""The engine's own messages (help, opt-out, re-asks...), in both languages.

Flow authors own flows/; these belong to the product, so they live in code and are checked by
`sgwrs flows check` like any flow text. Welsh drafted by the team: awaiting a fluent reviewer.
"""

from __future__ import annotations

from bot.flowspec.model import Text

HELP = Text(
    cy="Sgwrs gan y cyngor. Geiriau: ETO, SYMLACH, GOFYN (cwestiwn), IAITH, NEWYDD "
    "(person arall), DILEU, STOPIO. Atebwch ETO i barhau.",
    en="Sgwrs from the council. Words: REPEAT, SIMPLER, ASK (a question), LANGUAGE, NEW "
    "(next person), DELETE, STOP. Reply REPEAT to carry on.",
)
OPTED_OUT = Text(
    cy="Ni fyddwn yn anfon neges eto. Anfonwch DECHRAU i ailddechrau.",
    en="You will get no more texts from us. Text START to come back.",
)
OPTED_IN = Text(cy="Croeso'n ôl.", en="Welcome back.")
WELCOME_BACK = Text(
    cy="Croeso'n ôl. Dyma ble roedden ni:", en="Welcome back. Here is where we were:"
)
LANGUAGE_SWITCHED = Text(cy="Iawn, Cymraeg o hyn ymlaen.", en="OK, English from now on.")
REASK_CHOICE = Text(
    cy="Sori, wnes i ddim deall. Atebwch gyda rhif:",
    en="Sorry, I did not follow. Please reply with a number:",
)
REASK_YES_NO = Text(
    cy="Sori, wnes i ddim deall. Atebwch IE neu NA.",
    en="Sorry, I did not follow. Please reply YES or NO.",
)
REASK_WORDS = Text(
    cy="Atebwch mewn geiriau, os gwelwch yn dda. Neu anfonwch NESAF i hepgor.",
    en="Please reply in words. Or text NEXT to skip this one.",
)
THANKS = Text(cy="Diolch.", en="Thank you.")
SAY_NEXT = Text(cy="Atebwch NESAF i barhau.", en="Reply NEXT to go on.")
NO_SIMPLER = Text(cy="Dyma'r geiriau symlaf sydd gennym:", en="This is as simple as we have it:")
ASK_WHAT = Text(
    cy="Beth yw eich cwestiwn? Ysgrifennwch e yn eich geiriau eich hun.",
    en="What is your question? Write it in your own words.",
)
QUESTION_QUEUED = Text(
    cy="Diolch. Bydd swyddog yn ateb o fewn 5 diwrnod gwaith. Atebwch ETO i barhau.",
    en="Thanks. An officer will reply within 5 working days. Reply REPEAT to carry on.",
)
QUESTION_PASSED_ON = Text(
    cy="Diolch. Bydd swyddog yn ateb o fewn 5 diwrnod gwaith.",
    en="Thanks. An officer will reply within 5 working days.",
)
ERASE_CONFIRM = Text(
    cy="Dileu popeth rydych wedi ei ddweud wrthym? Atebwch IE i ddileu, NA i gadw.",
    en="Delete everything you have told us? Reply YES to delete, NO to keep it.",
)
ERASED = Text(
    cy="Wedi dileu. Nid ydym yn cadw dim byd amdanoch. Diolch.",
    en="Deleted. We keep nothing about you now. Thank you.",
)
ERASE_CANCELLED = Text(cy="Iawn, dim wedi ei ddileu.", en="OK, nothing deleted.")
HANDED_ON = Text(
    cy="Diolch! Mae eich atebion yn ddiogel. Nawr gall y person nesaf ddechrau.",
    en="Thank you! Your answers are safe. Now the next person can start.",
)
NOTED_AFTER_END = Text(
    cy="Diolch, rydym wedi nodi hynny. Anfonwch GOFYN gyda chwestiwn, neu DECHRAU i ailddechrau.",
    en="Thanks, we have noted that. Text ASK with a question, or START to begin again.",
)
ENDED = Text(
    cy="Mae'r sgwrs hon wedi dod i ben. Anfonwch DECHRAU i ailddechrau, neu GOFYN gyda chwestiwn.",
    en="This chat has ended. Text START to begin again, or ASK with a question.",
)
REMINDER = Text(
    cy="Helo eto gan y cyngor. Does dim rhaid ateb, ond rydym eisiau clywed gennych.",
    en="Hello again from the council. No need to reply, but we would like to hear from you.",
)
FAQ_CHECK = Text(
    cy="A oedd hynny'n ateb eich cwestiwn? 1 Oedd 2 Na", en="Did that answer it? 1 Yes 2 No"
)
FAQ_GLAD = Text(cy="Da iawn. Atebwch ETO i barhau.", en="Good. Reply REPEAT to carry on.")
ANSWER_INTRO = Text(
    cy="Ateb gan y cyngor i'ch cwestiwn:",
    en="The council's answer to your question:",
)

ALL: dict[str, Text] = {
    name: value for name, value in globals().items() if isinstance(value, Text) and name.isupper()
}
