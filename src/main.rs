//! The `ovation` command-line program: a thin shell over [`ovation::cli`].

fn main() {
    std::process::exit(ovation::cli::main());
}
