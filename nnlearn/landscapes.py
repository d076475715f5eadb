"""2-D loss surfaces with their gradients, for watching optimizers move (placeholder)."""
