"""Settings: the codebook, classification rules, kuntatutka scoring and flag texts, loaded once."""
