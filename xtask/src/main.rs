//! `cargo xtask`: project chores. Run `cargo xtask help`.

use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use xtask::fixtures::{self, BuildOptions};

const HELP: &str = "\
cargo xtask <command>

commands:
  build-fixtures [--force] [NAME...]   build contract fixtures (all by default) into target/fixtures
  list-fixtures                        print the fixture names
  verified-builds                      build the emulated contracts' fixtures and write their
                                       checksums to crates/cw-fallback/src/published.rs
  build-near [--features F,...] [--no-default-features] build the cw-near NEAR contract (wasm32, `near` profile)
                                       into target/near/cw_near.wasm
  build-near --interpreter             the contract with cw-wasmi and no natives (`near-wasmi`
                                       profile) into target/near/cw_near_wasmi.wasm
  fuzz TARGET [--seconds N] [--pinned] [--no-sanitizer] [--seed N]
                                       run a cargo-fuzz target for N seconds (default 60) under
                                       nightly, or with --pinned under the pinned stable
                                       toolchain with RUSTC_BOOTSTRAP=1 (what CI does);
                                       --no-sanitizer: coverage only, no AddressSanitizer;
                                       --seed N: libFuzzer's seed (CI fixes it)
  bench-report [--quick] [--only LAYERS] [--no-perf] [--no-run]
                                       run the benches (LAYERS: comma-separated bench targets;
                                       --no-run: none), profile with perf, write
                                       docs/PERFORMANCE.md and docs/perf/
  help                                 this text
";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<()> {
    let Some((command, rest)) = args.split_first() else {
        print!("{HELP}");
        return Ok(());
    };
    match command.as_str() {
        "build-fixtures" => {
            let mut options = BuildOptions::default();
            for arg in rest {
                match arg.as_str() {
                    "--force" => options.force = true,
                    flag if flag.starts_with('-') => bail!("unknown flag {flag}\n\n{HELP}"),
                    name => options.only.push(name.to_string()),
                }
            }
            fixtures::ensure_built(&options).map(drop)
        }
        "list-fixtures" => {
            for spec in fixtures::FIXTURES {
                println!("{}", spec.name);
            }
            Ok(())
        }
        "verified-builds" => {
            if let Some(extra) = rest.first() {
                bail!("unknown argument {extra}\n\n{HELP}");
            }
            let manifest = fixtures::ensure_built(&BuildOptions {
                only: cw_fallback::NativeKind::ALL
                    .iter()
                    .map(|kind| kind.fixture_name().to_owned())
                    .collect(),
                ..BuildOptions::default()
            })?;
            let path = xtask::verified_builds::path();
            std::fs::write(&path, xtask::verified_builds::render(&manifest)?)
                .with_context(|| format!("writing {}", path.display()))?;
            println!("wrote {}", path.display());
            Ok(())
        }
        "build-near" => {
            let mut options = xtask::build_near::NearBuildOptions::default();
            let mut args = rest.iter();
            while let Some(arg) = args.next() {
                match arg.as_str() {
                    "--features" => {
                        let features = args.next().context("--features takes F,...")?;
                        options
                            .features
                            .extend(features.split(',').map(str::to_string));
                    }
                    "--no-default-features" => options.no_default_features = true,
                    "--interpreter" => {
                        options = xtask::build_near::NearBuildOptions::interpreter();
                    }
                    other => bail!("unknown argument {other}\n\n{HELP}"),
                }
            }
            xtask::build_near::run(&options).map(drop)
        }
        "fuzz" => {
            let (target, flags) = rest
                .split_first()
                .context("fuzz needs a TARGET\n\n{HELP}")?;
            let mut options = xtask::fuzz::FuzzOptions::default();
            let mut flags = flags.iter();
            let number = |value: Option<&String>, flag: &str| -> Result<u64> {
                value
                    .with_context(|| format!("{flag} takes a whole number"))?
                    .parse()
                    .with_context(|| format!("{flag} takes a whole number"))
            };
            while let Some(flag) = flags.next() {
                match flag.as_str() {
                    "--seconds" => options.seconds = number(flags.next(), "--seconds")?,
                    "--seed" => {
                        options.seed = Some(
                            u32::try_from(number(flags.next(), "--seed")?)
                                .context("--seed takes a number below 2^32")?,
                        );
                    }
                    "--pinned" => options.toolchain = xtask::fuzz::Toolchain::Pinned,
                    "--no-sanitizer" => options.no_sanitizer = true,
                    _ => bail!(
                        "usage: cargo xtask fuzz TARGET [--seconds N] [--pinned] [--no-sanitizer] \
                         [--seed N]"
                    ),
                }
            }
            xtask::fuzz::run(target, options)
        }
        "bench-report" => {
            let mut options = xtask::bench_report::Options::default();
            let mut args = rest.iter();
            while let Some(arg) = args.next() {
                match arg.as_str() {
                    "--quick" => options.quick = true,
                    "--no-perf" => options.no_perf = true,
                    "--no-run" => options.no_run = true,
                    "--only" => {
                        let layers = args
                            .next()
                            .context("--only takes LAYERS, e.g. region,host")?;
                        options.only.extend(layers.split(',').map(str::to_string));
                    }
                    other => bail!("unknown argument {other}\n\n{HELP}"),
                }
            }
            xtask::bench_report::run(&options)
        }
        "help" | "--help" | "-h" => {
            print!("{HELP}");
            Ok(())
        }
        other => bail!("unknown command `{other}`\n\n{HELP}"),
    }
}
