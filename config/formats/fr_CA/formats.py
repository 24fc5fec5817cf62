# Django's fr_CA formats write the hour as "H\xa0h\xa0i" ("13 h 40" in their comment), but "h" unescaped is the
# format character of the 12-hour hour: 9:00 came out as "09 09 00" and 14:30 as "14 02 30". Here the "h" is a
# letter ("\h"), as Canadian French writes times: "09 h 00", "14 h 30".
TIME_FORMAT = "H\xa0\\h\xa0i"
DATETIME_FORMAT = "j F Y, H\xa0\\h\xa0i"
SHORT_DATETIME_FORMAT = "Y-m-d H\xa0\\h\xa0i"
