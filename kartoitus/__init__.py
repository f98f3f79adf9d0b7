"""kartoitus: the regional association mapping (järjestökartoitus) of Central Finland.

Survey exports in, cleaned and classified data, indicators and reports out. The
command line (``kartoitus``) is a thin layer over the modules of this package,
one per pipeline stage; see the README for the picture.
"""

__version__ = "0.1.0"
