# Dates in the English interface (settings.FORMAT_MODULE_PATH): day month year and a 24-hour clock, as
# analysts read them next to Arabic sources, not Django's "Dec. 2, 2026, 4:07 p.m.".
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
