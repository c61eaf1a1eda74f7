"""kztj: a sourced timeline of Kazakhstan–Tajikistan relations for the terminal."""

__version__ = "0.1.0"
