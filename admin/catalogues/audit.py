"""Welsh for the audit page(s), keyed by the English text."""

CY: dict[str, str] = {
    "Who saw or did what, and when. Newest first.": "Pwy a welodd neu a wnaeth beth, a phryd. Y diweddaraf yn gyntaf.",
    "Audit log, newest first": "Log archwilio, y diweddaraf yn gyntaf",
    "Who": "Pwy",
    "What": "Beth",
    "About": "Ynghylch",
    "Detail": "Manylion",
    "Unknown": "Anhysbys",
    "Nothing has been recorded on this page.": "Does dim wedi'i gofnodi ar y dudalen hon.",
    "Nothing has been recorded yet.": "Does dim wedi'i gofnodi eto.",
    "Signed in": "Mewngofnododd",
    "Sign-in failed": "Methodd mewngofnodi",
    "Revealed a number": "Datgelodd rif",
    "Downloaded an export": "Lawrlwythodd allforyn",
    "Added an account": "Ychwanegodd gyfrif",
    "Deactivated an account": "Dadactifadodd gyfrif",
    "Answered a question": "Atebodd gwestiwn",
    "Erased a resident": "Dileodd breswylydd",
    "Opted a number out": "Optiodd rif allan",
    "Downloaded a resident's data": "Lawrlwythodd ddata preswylydd",
    "Reason:": "Rheswm:",
}
