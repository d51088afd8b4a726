"""Welsh for the export page(s), keyed by the English text."""

CY: dict[str, str] = {
    "Export answers": "Allforio atebion",
    "Download what residents said, with the themes officers tagged, as a CSV file for a spreadsheet.": "Lawrlwythwch yr hyn a ddywedodd preswylwyr, gyda'r themâu a dagiwyd gan swyddogion, fel ffeil CSV ar gyfer taenlen.",
    "Residents are not named and no phone numbers are included. Each resident has a random id that only holds within one file. Test conversations are left out. Your download is recorded in the audit log.": "Nid yw preswylwyr yn cael eu henwi ac nid oes rhifau ffôn. Mae gan bob preswylydd rif adnabod ar hap sy'n dal o fewn un ffeil yn unig. Gadewir sgyrsiau prawf allan. Caiff eich lawrlwythiad ei gofnodi yn y log archwilio.",
    "All flows": "Pob llif",
    "Kinds of answer": "Mathau o ateb",
    "Leave all unticked for every kind.": "Gadewch bob un heb dic i gael pob math.",
    "Answered on or after": "Atebwyd ar neu ar ôl",
    "Answered on or before": "Atebwyd ar neu cyn",
    "For example, 27 3 2025": "Er enghraifft, 27 3 2025",
    "Download CSV": "Lawrlwytho CSV",
    # The file's column headings (bot.store.exports.COLUMNS), for a Welsh export.
    "participant": "cyfranogwr",
    "flow": "llif",
    "step": "cam",
    "kind": "math",
    "answer_text": "testun_yr_ateb",
    "contact_details": "manylion_cyswllt",
    "value": "gwerth",
    "themes": "themâu",
    "significant": "arwyddocaol",
    "language": "iaith",
    "channel": "sianel",
    "partner": "partner",
    "date": "dyddiad",
}
