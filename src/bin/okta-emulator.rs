//! `okta-emulator`: a local Okta Management API. All logic lives in `oktaidp::emulator`.

fn main() -> std::process::ExitCode {
    oktaidp::emulator::cli::main()
}
