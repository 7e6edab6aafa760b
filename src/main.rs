//! The `congdoan` binary: all logic lives in the library so tests and tools share it.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    congdoan::init_tracing();
    match congdoan::cli::run(std::env::args_os()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Lỗi / error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
