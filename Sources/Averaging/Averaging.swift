/// Averaging: a-posteriori averaging operators that turn a 2-D tissue DNS field into 1-D
/// profiles (β-intrinsic section and moving-window averages), and profile comparison metrics.
/// One home for the averaging operator (DESIGN §3).
public enum AveragingModule {}
