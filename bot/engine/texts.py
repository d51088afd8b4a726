"""The engine's own messages (help, opt-out, re-asks...), in both languages.

Flow authors own flows/; these belong to the product, so they live in code and are checked by
`sgwrs flows check` like any flow text. Welsh drafted by the team: awaiting a fluent reviewer.
"""

from __future__ import annotations

from bot.flowspec.model import Text

#: HELP mid-flow: every word that works here, with what it does (each language <= 2 segments),
#: one to a line: a list reads more easily on a small screen than one long sentence.
HELP = Text(
    cy="Geiriau i'w hanfon:\nNESAF i fynd ymlaen\nETO i weld eto\nSYMLACH am eiriau haws\n"
    "GOFYN gyda chwestiwn\nIAITH am Saesneg\nNEWYDD i'r person nesaf\nDILEU i ddileu "
    "eich atebion\nSTOPIO i orffen",
    en="Words you can send:\nNEXT to go on\nREPEAT to see it again\nSIMPLER for easier words\n"
    "ASK with a question\nLANGUAGE for Welsh\nNEW for the next person\nDELETE to erase your "
    "answers\nSTOP to stop",
)
#: HELP once the chat has ended: only the words that still do something.
HELP_ENDED = Text(
    cy="Geiriau i'w hanfon:\nDECHRAU i ddechrau eto\nGOFYN gyda chwestiwn\nDILEU i ddileu "
    "eich atebion\nSTOPIO i orffen",
    en="Words you can send:\nSTART to begin again\nASK with a question\nDELETE to erase your "
    "answers\nSTOP to stop",
)
OPTED_OUT = Text(
    cy="Ni fyddwn yn anfon neges eto. Anfonwch DECHRAU i ailddechrau, neu DILEU i ddileu popeth.",
    en="You will get no more texts from us. Text START to come back, or DELETE to erase it all.",
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
THANKS = Text(cy="Diolch.", en="Thank you.")
SAY_NEXT = Text(cy="Atebwch NESAF i barhau.", en="Reply NEXT to go on.")
NO_SIMPLER = Text(cy="Dyma'r geiriau symlaf sydd gennym:", en="This is as simple as we have it:")
ASK_WHAT = Text(
    cy="Beth yw eich cwestiwn? Ysgrifennwch e yn eich geiriau eich hun.",
    en="What is your question? Write it in your own words.",
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
#: After STOP the number stays on the opt-out list: that is the one thing kept, and we say so.
ERASED_OPTED_OUT = Text(
    cy="Wedi dileu. Dim ond eich rhif a gadwn, wedi'i gloi, fel na fyddwn yn anfon neges eto.",
    en="Deleted. We keep only your number, locked away, so that we never text you again.",
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
FAQ_GLAD = Text(cy="Da iawn.", en="Good.")
ANSWER_AND_QUESTION_NOTED = Text(
    cy="Diolch, rydym wedi nodi hynny. Bydd swyddog yn ateb eich cwestiwn o fewn 5 diwrnod gwaith.",
    en="Thanks, we have noted that. An officer will answer your question within 5 working days.",
)
#: After a question or a reaction at an explanation: the step waits for a go-on.
GO_ON_WHEN_READY = Text(cy="Atebwch NESAF i barhau.", en="Reply NEXT to go on.")
#: After a question once the chat has ended: what still works (never REPEAT).
AFTER_END_HINT = Text(
    cy="Anfonwch GOFYN gyda chwestiwn arall, neu DECHRAU i ailddechrau.",
    en="Text ASK with another question, or START to begin again.",
)
REACTION_HEARD = Text(
    cy="Diolch am ddweud. Atebwch SYMLACH am eiriau haws, GOFYN gyda chwestiwn, neu NESAF i "
    "barhau.",
    en="Thank you for telling us. Reply SIMPLER for easier words, ASK with a question, or "
    "NEXT to go on.",
)
MEDIA_NOT_READ = Text(
    cy="Sori, dim ond geiriau gallwn ni eu darllen, nid lluniau na negeseuon llais.",
    en="Sorry, we can only read words, not pictures or voice messages.",
)
NO_WORDS = Text(
    cy="Atebwch mewn geiriau, os gwelwch yn dda, neu anfonwch NESAF i hepgor.",
    en="Please reply in words, or text NEXT to skip this one.",
)
SKIPPED = Text(cy="Iawn.", en="OK.")
THANKS_AFTER_END = Text(
    cy="Diolch i chi. Anfonwch GOFYN gyda chwestiwn, neu DECHRAU i ailddechrau.",
    en="Thank you. Text ASK with a question, or START to begin again.",
)
CONSENT_AGAIN = Text(
    cy="Atebwch IE i adael i ni gadw eich atebion, neu NA.",
    en="Please reply YES to let us keep your answers, or NO.",
)
DECLINE_CONFIRMED = Text(
    cy=(
        "Ni fyddwn yn cadw eich atebion. Anfonwch DILEU i ddileu'r sgwrs hon hefyd."
        " Atebwch IE os byddwch yn newid eich meddwl."
    ),
    en=(
        "We will not keep your answers. Text DELETE to erase this chat too."
        " Reply YES if you change your mind."
    ),
)
CONSENT_GIVEN_LATER = Text(
    cy="Diolch. Byddwn yn cadw eich atebion.", en="Thank you. We will keep your answers."
)
#: The language was not chosen, so Sgwrs chose from what they wrote: how to change it.
LANGUAGE_CHOSEN = Text(
    cy="Byddwn yn parhau yn Gymraeg. For English, reply ENGLISH.",
    en="We will carry on in English. Am Gymraeg, atebwch CYMRAEG.",
)
ANSWER_INTRO = Text(
    cy="Ateb gan y cyngor i'ch cwestiwn:",
    en="The council's answer to your question:",
)

ALL: dict[str, Text] = {
    name: value for name, value in globals().items() if isinstance(value, Text) and name.isupper()
}
