"""Corrections to Django's own date and time formats for the site's languages (FORMAT_MODULE_PATH): a name set
in config/formats/<locale>/formats.py replaces Django's for that locale; every other name is still Django's."""
