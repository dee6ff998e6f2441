/// Surrogate: the CNN surrogate for steady diffusion–decay fields on a square lattice
/// (DESIGN §9): data generation by direct sparse solves, training and evaluation.
public enum SurrogateModule {}
