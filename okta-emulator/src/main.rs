//! `okta-emulator`: a local Okta org. All logic lives in the library.

fn main() -> std::process::ExitCode {
    okta_emulator::cli::main()
}
