fn main() -> std::process::ExitCode {
    oktaidp::run::main()
}
