"""The publication of a wave: indicators, suppression, kuntatutka scores, computed once."""
