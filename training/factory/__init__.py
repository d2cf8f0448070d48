"""MoS2 model factory, part 1: configurations, DFT labelling, packing, pair table."""
