//! The `weft` binary: parse the command line, hand over to the library.

fn main() -> std::process::ExitCode {
    weft::cli::main()
}
