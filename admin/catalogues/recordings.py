"""Welsh for callers' recordings on the transcript and answers pages, keyed by the English text."""

CY: dict[str, str] = {
    # Playing a recording
    "Download the recording": "Lawrlwytho'r recordiad",
    "Recording, {seconds} seconds": "Recordiad, {seconds} eiliad",
    "{seconds} seconds": "{seconds} eiliad",
    "Each listen is recorded in the audit log.": "Caiff pob gwrandawiad ei gofnodi yn y log archwilio.",
    "Recording not yet fetched": "Nid yw'r recordiad wedi'i nôl eto",
    "No recording was made of this answer.": "Ni wnaed recordiad o'r ateb hwn.",
    "Typed in the phone simulator in place of a recording: there is no audio, and the answer's text is what was typed.": "Wedi'i deipio yn yr efelychydd ffôn yn lle recordiad: nid oes sain, a thestun yr ateb yw'r hyn a deipiwyd.",
    "Recordings not kept as an answer": "Recordiadau na chawsant eu cadw fel ateb",
    # Typing a summary or transcript
    "The answer's text is an officer's summary, typed {when}.": "Crynodeb gan swyddog yw testun yr ateb, a deipiwyd {when}.",
    "Type a summary or transcript": "Teipio crynodeb neu drawsgrifiad",
    "Summary or transcript of the recording": "Crynodeb neu drawsgrifiad o'r recordiad",
    "It becomes the answer's text: searched, themed and exported like a typed answer. The audit log records that you typed it, not what it says.": "Daw'n destun yr ateb: caiff ei chwilio, ei roi dan themâu a'i allforio fel ateb a deipiwyd. Mae'r log archwilio'n cofnodi eich bod wedi'i deipio, nid beth mae'n ei ddweud.",
    "Save as the answer's text": "Cadw fel testun yr ateb",
    "Summary saved as the answer's text": "Cadwyd y crynodeb fel testun yr ateb",
    # Refusals (bot/core/recordings.py)
    "Type a summary or transcript of the recording first.": "Teipiwch grynodeb neu drawsgrifiad o'r recordiad yn gyntaf.",
    "A summary can be at most {limit} characters.": "Gall crynodeb fod yn {limit} nod ar y mwyaf.",
    "That recording is not held as an answer (the resident may have been erased).": "Nid yw'r recordiad hwnnw'n cael ei gadw fel ateb (efallai bod y preswylydd wedi'i ddileu).",
    # The audit log's words for listening and summaries
    "Played a caller's recording": "Chwarae recordiad galwr",
    "Typed a summary of a recording": "Teipio crynodeb o recordiad",
    "Recording": "Recordiad",
}
