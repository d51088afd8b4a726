"""Welsh for the charts page, keyed by the English text."""

CY: dict[str, str] = {
    "Charts": "Siartiau",
    "Themes: hopes and fears": "Themâu: gobeithion a phryderon",
    "Answers tagged with each theme: hopes and fears": "Atebion wedi'u tagio â phob thema: gobeithion a phryderon",
    "hopes": "gobeithion",
    "fears": "pryderon",
    "Answers tagged with each theme, by kind": "Atebion wedi'u tagio â phob thema, yn ôl math",
    "Hopes": "Gobeithion",
    "Fears": "Pryderon",
    "Other answers": "Atebion eraill",
    "No answers are tagged with a theme yet.": "Does dim atebion wedi'u tagio â thema eto.",
    "Answers in residents' own words, last 30 days": "Atebion yng ngeiriau preswylwyr eu hunain, y 30 diwrnod diwethaf",
    "Answers in residents' own words received each day": "Atebion yng ngeiriau preswylwyr eu hunain a ddaeth bob dydd",
    "Answers received each day": "Atebion a ddaeth bob dydd",
    "Reach of each partner": "Cyrhaeddiad pob partner",
    "Residents who started a conversation, by the partner they came through": "Preswylwyr a ddechreuodd sgwrs, yn ôl y partner y daethon nhw drwyddo",
    "Residents by partner": "Preswylwyr yn ôl partner",
    "No residents have started a conversation yet.": "Does dim preswylwyr wedi dechrau sgwrs eto.",
}
