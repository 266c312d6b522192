fn main() { handoff::hello(); }
