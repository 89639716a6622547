//! Start-up benchmark of the release provider binary, launched the way Terraform launches it
//! (which happens 3 to 5 times per Terraform command).
//!
//! For each of N runs (default 50): spawn with Terraform's environment and a fresh P-521
//! `PLUGIN_CLIENT_CERT`, time spawn → handshake line read; wait 200 ms and read the idle
//! VmRSS; connect over mTLS, call GetProviderSchema, then `plugin.GRPCController/Shutdown` and
//! time Shutdown → process exit.
//!
//! Builds nothing: run `scripts/bench.sh`, or `cargo build --release --bin
//! terraform-provider-oktaidp` first. `OKTAIDP_PROVIDER_BIN` overrides the binary,
//! `OKTAIDP_BENCH_RUNS` the number of runs.

#[path = "../tests/support/plugin.rs"]
mod plugin;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use oktaidp::tfplugin::proto::plugin::grpc_controller_client::GrpcControllerClient;
use oktaidp::tfplugin::proto::plugin::Empty;
use oktaidp::tfplugin::proto::tfplugin6::get_provider_schema;
use oktaidp::tfplugin::proto::tfplugin6::provider_client::ProviderClient;
use plugin::{ClientIdentity, Launch};

const DEFAULT_RUNS: usize = 50;
const IDLE_WAIT: Duration = Duration::from_millis(200);
const TARGET_HANDSHAKE_MS: f64 = 5.0;
const TARGET_RSS_MB: f64 = 10.0;

struct Sample {
    handshake: Duration,
    rss_kb: u64,
    hwm_kb: u64,
    threads: u64,
    connect: Duration,
    schema: Duration,
    shutdown: Duration,
}

fn binary() -> PathBuf {
    if let Some(p) = std::env::var_os("OKTAIDP_PROVIDER_BIN") {
        return PathBuf::from(p);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("release").join("terraform-provider-oktaidp")
}

fn one_run(rt: &tokio::runtime::Runtime, launch: &Launch, client: &ClientIdentity) -> Sample {
    let mut running = launch.start();
    let handshake = running.handshake_latency;
    std::thread::sleep(IDLE_WAIT);
    let pid = running.plugin.pid();
    let rss_kb = plugin::proc_status_kb(pid, "VmRSS").expect("VmRSS");
    let hwm_kb = plugin::proc_status_kb(pid, "VmHWM").unwrap_or(0);
    let threads = plugin::proc_status_kb(pid, "Threads").unwrap_or(0);
    rt.block_on(async {
        let t = Instant::now();
        let channel = running.connect_mtls(client).await;
        let connect = t.elapsed();
        let t = Instant::now();
        ProviderClient::new(channel.clone())
            .max_decoding_message_size(64 << 20)
            .get_provider_schema(get_provider_schema::Request::default())
            .await
            .expect("GetProviderSchema");
        let schema = t.elapsed();
        let t = Instant::now();
        GrpcControllerClient::new(channel)
            .shutdown(Empty {})
            .await
            .expect("Shutdown");
        // Like Terraform: the connection is closed right after Shutdown.
        let status = running
            .plugin
            .wait_exit(Duration::from_secs(5))
            .await
            .expect("provider exits after Shutdown");
        let shutdown = t.elapsed();
        assert!(status.success(), "exit status {status}");
        Sample {
            handshake,
            rss_kb,
            hwm_kb,
            threads,
            connect,
            schema,
            shutdown,
        }
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut v: Vec<f64> = values.collect();
    v.sort_by(f64::total_cmp);
    percentile(&v, 50.0)
}

fn main() -> ExitCode {
    let bin = binary();
    if !bin.is_file() {
        eprintln!(
            "handshake bench: no provider binary at {}.\nBuild it first: cargo build --release --bin terraform-provider-oktaidp (or run scripts/bench.sh), or set OKTAIDP_PROVIDER_BIN.",
            bin.display()
        );
        return ExitCode::FAILURE;
    }
    let runs = std::env::var("OKTAIDP_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or(DEFAULT_RUNS);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");

    println!("handshake bench: {} ({runs} runs)", bin.display());
    // One warm-up run (page cache, dynamic loader) that is not counted.
    let warm = ClientIdentity::generate();
    one_run(&rt, &Launch::terraform(&bin, Some(&warm.cert_pem)), &warm);

    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        // go-plugin makes a fresh client certificate for every plugin launch (not timed).
        let client = ClientIdentity::generate();
        let launch = Launch::terraform(&bin, Some(&client.cert_pem));
        samples.push(one_run(&rt, &launch, &client));
    }

    let mut hs: Vec<f64> = samples.iter().map(|s| ms(s.handshake)).collect();
    hs.sort_by(f64::total_cmp);
    let hs_median = percentile(&hs, 50.0);
    let rss_mb = median(samples.iter().map(|s| s.rss_kb as f64 / 1024.0));
    let hwm_mb = median(samples.iter().map(|s| s.hwm_kb as f64 / 1024.0));
    let threads = median(samples.iter().map(|s| s.threads as f64));
    let connect = median(samples.iter().map(|s| ms(s.connect)));
    let schema = median(samples.iter().map(|s| ms(s.schema)));
    let shutdown = median(samples.iter().map(|s| ms(s.shutdown)));
    let shutdown_max = samples.iter().map(|s| ms(s.shutdown)).fold(0.0, f64::max);

    let verdict = |ok: bool| if ok { "ok" } else { "MISSED" };
    println!();
    println!("{:<34} {:>10}  target", "metric", "value");
    println!("{:-<34} {:->10}  ------", "", "");
    println!(
        "{:<34} {:>10.2}  < {TARGET_HANDSHAKE_MS} ms {}",
        "handshake median (ms)",
        hs_median,
        verdict(hs_median < TARGET_HANDSHAKE_MS)
    );
    println!(
        "{:<34} {:>10.2}",
        "handshake p90 (ms)",
        percentile(&hs, 90.0)
    );
    println!("{:<34} {:>10.2}", "handshake min (ms)", hs[0]);
    println!("{:<34} {:>10.2}", "handshake max (ms)", hs[hs.len() - 1]);
    println!(
        "{:<34} {:>10.2}  < {TARGET_RSS_MB} MB {}",
        "idle RSS median (MB)",
        rss_mb,
        verdict(rss_mb < TARGET_RSS_MB)
    );
    println!("{:<34} {:>10.2}", "peak RSS (VmHWM) median (MB)", hwm_mb);
    println!("{:<34} {:>10.0}", "threads median", threads);
    println!("{:<34} {:>10.2}", "mTLS connect median (ms)", connect);
    println!("{:<34} {:>10.2}", "GetProviderSchema median (ms)", schema);
    println!("{:<34} {:>10.2}", "Shutdown -> exit median (ms)", shutdown);
    println!("{:<34} {:>10.2}", "Shutdown -> exit max (ms)", shutdown_max);
    ExitCode::SUCCESS
}
