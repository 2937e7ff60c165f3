"""The « offre modulaire »: days of individual support each member structure
may use every calendar year, the supports given, and their figures."""
