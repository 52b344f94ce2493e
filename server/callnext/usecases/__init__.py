"""What staff, kiosks, citizens and managers do: each a hall transaction (load, apply the
domain core, save, emit) or a read."""
