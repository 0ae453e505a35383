# Dates and numbers in the Arabic interface (settings.FORMAT_MODULE_PATH), over Django's ar formats.
# Month names come from Django's Arabic catalogue; digits stay Western unless the analyst asks for
# Arabic-Indic ones (accounts.numerals).
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y، H:i"
SHORT_DATE_FORMAT = "Y/m/d"
SHORT_DATETIME_FORMAT = "Y/m/d H:i"
TIME_FORMAT = "H:i"
# Django's ar module says ",": a float in a template (a similarity, an SVG coordinate, a κ) would then read
# "0,25", which is neither what Arabic news writes with Western digits nor valid in an attribute or a chart.
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
