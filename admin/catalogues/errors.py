"""Welsh for the admin's error pages and the refusals of what officers type, keyed by the English."""

CY: dict[str, str] = {
    "The page could not read what was sent. Go back and try again.": "Nid oedd modd i'r dudalen ddarllen yr hyn a anfonwyd. Ewch yn ôl a rhowch gynnig arall arni.",
    "The form has expired or did not come from this site. Go back, reload the page and try again.": "Mae'r ffurflen wedi dod i ben neu ni ddaeth o'r wefan hon. Ewch yn ôl, ail-lwythwch y dudalen a rhowch gynnig arall arni.",
    "What was sent is too large. Send less and try again.": "Mae'r hyn a anfonwyd yn rhy fawr. Anfonwch lai a rhowch gynnig arall arni.",
    "Sorry, there is a problem with the service. Try again later.": "Mae'n ddrwg gennym, mae problem gyda'r gwasanaeth. Rhowch gynnig arall arni yn nes ymlaen.",
    "What was sent holds a character that cannot be stored (a null character). Remove it and try again.": "Mae'r hyn a anfonwyd yn cynnwys nod na ellir ei storio (nod nwl). Tynnwch ef a rhowch gynnig arall arni.",
    "The start date must be in a year from {first} to {last}": "Rhaid i'r dyddiad dechrau fod mewn blwyddyn o {first} i {last}",
    "The end date must be in a year from {first} to {last}": "Rhaid i'r dyddiad gorffen fod mewn blwyddyn o {first} i {last}",
    "This page cannot be used that way. Go back and try again.": "Nid oes modd defnyddio'r dudalen hon fel yna. Ewch yn ôl a rhowch gynnig arall arni.",
}
