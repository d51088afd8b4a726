"""Welsh for the layout, sign-in and error pages, keyed by the English text."""

CY: dict[str, str] = {
    "Sgwrs admin": "Gweinyddu Sgwrs",
    "Sign in": "Mewngofnodi",
    "Sign out": "Allgofnodi",
    "Email address": "Cyfeiriad e-bost",
    "Password": "Cyfrinair",
    "Overview": "Trosolwg",
    "Conversations": "Sgyrsiau",
    "Hopes, fears and feedback": "Gobeithion, pryderon ac adborth",
    "Questions": "Cwestiynau",
    "You said, we did": "Dywedoch chi, gwnaethon ni",
    "Flows": "Llifoedd",
    "Export": "Allforio",
    "Audit log": "Log archwilio",
    "Users": "Defnyddwyr",
    "There is a problem": "Mae problem",
    "Enter your email address and password": "Rhowch eich cyfeiriad e-bost a'ch cyfrinair",
    "The email address or password is not right": "Nid yw'r cyfeiriad e-bost neu'r cyfrinair yn gywir",
    "Too many attempts. Wait a minute and try again.": (
        "Gormod o ymdrechion. Arhoswch funud a rhoi cynnig arall arni."
    ),
    "You do not have permission to see this page": "Nid oes gennych ganiatâd i weld y dudalen hon",
    "Page not found": "Heb ddod o hyd i'r dudalen",
    "Back to the overview": "Yn ôl i'r trosolwg",
    "Signed in as {name}": "Wedi mewngofnodi fel {name}",
    "Skip to main content": "Neidio i'r prif gynnwys",
}
