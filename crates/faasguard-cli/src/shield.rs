//! `faasguard shield layer`: the Lambda layer of faasguard-shield (docs/shield.md, "Layer
//! layout"). The two native files (the wrapper and the `LD_PRELOAD` library) are taken from a
//! build directory; the Python and Node shims are compiled into this binary, so no source tree is
//! needed. The zip is deterministic: fixed timestamps, fixed modes, entries in name order.

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// The wrapper's file name, in the build directory and at the layer's root (`/opt/…`).
const WRAPPER: &str = "faasguard-shield";
/// The `LD_PRELOAD` library's file name in the build directory.
const PRELOAD: &str = "libfaasguard_shield.so";
const PYTHON_SHIM: &str = include_str!("../../faasguard-shield/assets/python/sitecustomize.py");
/// The Python audit hook's implementation, loaded by the shim on the first event that matters.
const PYTHON_AUDIT: &str =
    include_str!("../../faasguard-shield/assets/python/faasguard_shield_audit.py");
const NODE_SHIM: &str = include_str!("../../faasguard-shield/assets/node/shield.cjs");
/// How to build the native files, for the error messages.
const BUILD_HINT: &str = "build them with `cargo build --release -p faasguard-shield -p faasguard-shield-preload` and pass `--from target/release`";
/// The glibc of Amazon Linux 2023, which the managed runtimes run on.
const TARGET_GLIBC: (u32, u32) = (2, 34);
/// Native files larger than this are refused (the real ones are a few MB).
const MAX_NATIVE_BYTES: u64 = 64 << 20;

#[derive(Debug, Subcommand)]
pub enum ShieldCommand {
    /// Build the Lambda layer zip: /opt/faasguard-shield (the AWS_LAMBDA_EXEC_WRAPPER) and
    /// /opt/faasguard/{lib,python,node} (docs/shield-attach.md shows how to attach it).
    Layer(LayerArgs),
}

#[derive(Debug, Args)]
pub struct LayerArgs {
    /// The zip to write; a name that names an architecture (x86_64, amd64, aarch64, arm64) must
    /// name the one of the native files.
    #[arg(long, short, value_name = "FILE")]
    output: PathBuf,
    /// The directory holding `faasguard-shield` and `libfaasguard_shield.so` [default: the
    /// directory of this `faasguard` executable, where cargo puts all three].
    #[arg(long, value_name = "DIR")]
    from: Option<PathBuf>,
}

pub fn run(command: &ShieldCommand) -> Result<ExitCode> {
    match command {
        ShieldCommand::Layer(args) => run_layer(args),
    }
}

/// An ELF machine the layer can be built for (Lambda's two architectures).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arch {
    X86_64,
    Aarch64,
}

impl Arch {
    fn name(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::Aarch64 => "arm64",
        }
    }

    /// The architecture a file name names, if any (`…-x86_64.zip`, `…-arm64.zip`).
    fn named_in(file_name: &str) -> Option<Arch> {
        let lower = file_name.to_ascii_lowercase();
        let x86 = ["x86_64", "x86-64", "amd64"]
            .iter()
            .any(|n| lower.contains(n));
        let arm = ["aarch64", "arm64"].iter().any(|n| lower.contains(n));
        match (x86, arm) {
            (true, false) => Some(Arch::X86_64),
            (false, true) => Some(Arch::Aarch64),
            _ => None,
        }
    }
}

/// What the ELF header and the version-needed table of a native file say.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ElfInfo {
    arch: Arch,
    /// `ET_DYN` (a shared library or a position-independent executable).
    dynamic: bool,
    /// The newest `GLIBC_x.y` version the file needs; `None` when it needs none (static).
    glibc: Option<(u32, u32)>,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<usize> {
    usize::try_from(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?)).ok()
}

/// Reads a 64-bit little-endian ELF file's machine and type. Errors say what the file is not.
fn elf_info(bytes: &[u8]) -> Result<ElfInfo, String> {
    if bytes.get(..4) != Some(b"\x7fELF".as_slice()) {
        return Err("not an ELF file".to_owned());
    }
    if bytes.get(4) != Some(&2) || bytes.get(5) != Some(&1) {
        return Err("not a 64-bit little-endian ELF file".to_owned());
    }
    let e_type = u16_at(bytes, 16).ok_or("truncated ELF header")?;
    let arch = match u16_at(bytes, 18).ok_or("truncated ELF header")? {
        62 => Arch::X86_64,
        183 => Arch::Aarch64,
        other => return Err(format!("ELF machine {other} is neither x86_64 nor aarch64")),
    };
    Ok(ElfInfo {
        arch,
        dynamic: e_type == 3,
        glibc: newest_glibc(bytes),
    })
}

/// The newest `GLIBC_x.y` named in the file's version-needed table (`SHT_GNU_verneed`), the
/// way `objdump -T` shows them. `None` when there is no such table or it names no glibc.
fn newest_glibc(b: &[u8]) -> Option<(u32, u32)> {
    const SHT_GNU_VERNEED: u32 = 0x6fff_fffe;
    let shoff = u64_at(b, 0x28)?;
    let shentsize = usize::from(u16_at(b, 0x3a)?);
    let shnum = usize::from(u16_at(b, 0x3c)?);
    let section = |i: usize| -> Option<(u32, usize, usize, u32)> {
        let at = shoff.checked_add(i.checked_mul(shentsize)?)?;
        Some((
            u32_at(b, at + 4)?,
            u64_at(b, at + 24)?,
            u64_at(b, at + 32)?,
            u32_at(b, at + 40)?,
        ))
    };
    let (_, off, size, link) = (0..shnum)
        .filter_map(section)
        .find(|s| s.0 == SHT_GNU_VERNEED)?;
    let (_, str_off, str_size, _) = section(usize::try_from(link).ok()?)?;
    let strtab = b.get(str_off..str_off.checked_add(str_size)?)?;
    let table = b.get(off..off.checked_add(size)?)?;
    let name = |at: u32| -> Option<&[u8]> {
        let rest = strtab.get(usize::try_from(at).ok()?..)?;
        rest.split(|c| *c == 0).next()
    };
    let mut newest = None;
    let mut need = 0usize;
    // Bounded: a corrupt table cannot loop for ever.
    for _ in 0..256 {
        let count = u16_at(table, need + 2)?;
        let mut aux = need.checked_add(usize::try_from(u32_at(table, need + 8)?).ok()?)?;
        for _ in 0..count.min(256) {
            if let Some(v) = name(u32_at(table, aux + 8)?).and_then(glibc_version) {
                newest = newest.max(Some(v));
            }
            let next = u32_at(table, aux + 12)?;
            if next == 0 {
                break;
            }
            aux = aux.checked_add(usize::try_from(next).ok()?)?;
        }
        let next = u32_at(table, need + 12)?;
        if next == 0 {
            break;
        }
        need = need.checked_add(usize::try_from(next).ok()?)?;
    }
    newest
}

/// `GLIBC_2.34` → `(2, 34)`; `GLIBC_2.2.5` → `(2, 2)`; other names → `None`.
fn glibc_version(name: &[u8]) -> Option<(u32, u32)> {
    let rest = std::str::from_utf8(name.strip_prefix(b"GLIBC_")?).ok()?;
    let mut parts = rest.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().map_or(Some(0), |m| m.parse().ok())?;
    Some((major, minor))
}

fn glibc_text(v: Option<(u32, u32)>) -> String {
    v.map_or_else(
        || "no glibc version (static)".to_owned(),
        |(a, b)| format!("glibc {a}.{b}"),
    )
}

/// Reads one native file and checks it is an x86_64 or aarch64 ELF file.
fn read_native(dir: &Path, name: &str, what: &str) -> Result<(Vec<u8>, ElfInfo)> {
    let path = dir.join(name);
    let meta = std::fs::metadata(&path)
        .map_err(|e| anyhow::anyhow!("{what} {} is missing ({e}); {BUILD_HINT}", path.display()))?;
    if !meta.is_file() {
        bail!("{what} {} is not a file; {BUILD_HINT}", path.display());
    }
    if meta.len() > MAX_NATIVE_BYTES {
        bail!(
            "{what} {} is {} bytes, more than the {MAX_NATIVE_BYTES} allowed",
            path.display(),
            meta.len()
        );
    }
    let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let info = elf_info(&bytes).map_err(|e| {
        anyhow::anyhow!(
            "{what} {} is {e}: the layer needs a Linux x86_64 or aarch64 build; {BUILD_HINT}",
            path.display()
        )
    })?;
    Ok((bytes, info))
}

/// One zip entry: name, Unix mode, contents (`None` = a directory).
type Entry<'a> = (&'static str, u32, Option<&'a [u8]>);

/// The zip bytes: entries sorted by name, every timestamp 1980-01-01 00:00:00.
fn layer_zip(entries: &mut [Entry<'_>]) -> Result<Vec<u8>> {
    entries.sort_by_key(|e| e.0);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, mode, data) in entries.iter() {
        let options = SimpleFileOptions::default()
            .last_modified_time(DateTime::default())
            .unix_permissions(*mode);
        match data {
            Some(data) => {
                zip.start_file(
                    *name,
                    options.compression_method(CompressionMethod::Deflated),
                )?;
                zip.write_all(data)?;
            }
            None => zip.add_directory(*name, options)?,
        }
    }
    Ok(zip.finish()?.into_inner())
}

fn run_layer(args: &LayerArgs) -> Result<ExitCode> {
    let dir = match &args.from {
        Some(dir) => dir.clone(),
        None => std::env::current_exe()
            .context("cannot locate the faasguard executable (pass --from DIR)")?
            .parent()
            .map(Path::to_path_buf)
            .context("the faasguard executable has no directory (pass --from DIR)")?,
    };
    if !dir.is_dir() {
        bail!("--from {}: not a directory", dir.display());
    }
    let (wrapper, wrapper_info) = read_native(&dir, WRAPPER, "the wrapper")?;
    let (preload, preload_info) = read_native(&dir, PRELOAD, "the LD_PRELOAD library")?;
    if !preload_info.dynamic {
        bail!(
            "the LD_PRELOAD library {} is not a shared library; {BUILD_HINT}",
            dir.join(PRELOAD).display()
        );
    }
    if wrapper_info.arch != preload_info.arch {
        bail!(
            "the wrapper is {} but the LD_PRELOAD library is {}: build both for one architecture",
            wrapper_info.arch.name(),
            preload_info.arch.name()
        );
    }
    let arch = wrapper_info.arch;
    let out_name = args
        .output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if let Some(named) = Arch::named_in(&out_name).filter(|named| *named != arch) {
        bail!(
            "--output {} names {} but the files in {} are {}: name the zip after their architecture (faasguard-shield-{}.zip) or pass --from a directory of {} builds",
            args.output.display(),
            named.name(),
            dir.display(),
            arch.name(),
            arch.name(),
            named.name()
        );
    }

    let mut entries: Vec<Entry<'_>> = vec![
        (WRAPPER, 0o755, Some(&wrapper)),
        ("faasguard/", 0o755, None),
        ("faasguard/lib/", 0o755, None),
        (
            "faasguard/lib/libfaasguard_shield.so",
            0o755,
            Some(&preload),
        ),
        ("faasguard/node/", 0o755, None),
        (
            "faasguard/node/shield.cjs",
            0o644,
            Some(NODE_SHIM.as_bytes()),
        ),
        ("faasguard/python/", 0o755, None),
        (
            "faasguard/python/faasguard_shield_audit.py",
            0o644,
            Some(PYTHON_AUDIT.as_bytes()),
        ),
        (
            "faasguard/python/sitecustomize.py",
            0o644,
            Some(PYTHON_SHIM.as_bytes()),
        ),
    ];
    let bytes = layer_zip(&mut entries)?;
    super::stream_to_file(&args.output, |out| {
        out.write_all(&bytes)?;
        Ok(())
    })?;

    eprintln!(
        "wrote {} ({} bytes): faasguard-shield layer for {} (compatible architecture: {}); wrapper needs {}, LD_PRELOAD library needs {}",
        args.output.display(),
        bytes.len(),
        arch.name(),
        arch.name(),
        glibc_text(wrapper_info.glibc),
        glibc_text(preload_info.glibc),
    );
    for (what, info) in [
        ("wrapper", &wrapper_info),
        ("LD_PRELOAD library", &preload_info),
    ] {
        if let Some((a, b)) = info.glibc.filter(|v| *v > TARGET_GLIBC) {
            eprintln!(
                "warning: the {what} needs glibc {a}.{b}, newer than Amazon Linux 2023's {}.{}: it will not load in Lambda's managed runtimes; build it on an older glibc",
                TARGET_GLIBC.0, TARGET_GLIBC.1
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    /// The architecture in a zip's name is found whichever spelling is used, and a name that
    /// names both or neither names none.
    #[test]
    fn arch_in_names() {
        assert_eq!(
            Arch::named_in("faasguard-shield-x86_64.zip"),
            Some(Arch::X86_64)
        );
        assert_eq!(Arch::named_in("layer-AMD64.zip"), Some(Arch::X86_64));
        assert_eq!(Arch::named_in("layer-arm64.zip"), Some(Arch::Aarch64));
        assert_eq!(Arch::named_in("layer-aarch64.zip"), Some(Arch::Aarch64));
        assert_eq!(Arch::named_in("layer.zip"), None);
        assert_eq!(Arch::named_in("x86_64-and-arm64.zip"), None);
    }

    /// glibc version names parse as objdump shows them; other version names are not glibc.
    #[test]
    fn glibc_names() {
        assert_eq!(glibc_version(b"GLIBC_2.34"), Some((2, 34)));
        assert_eq!(glibc_version(b"GLIBC_2.2.5"), Some((2, 2)));
        assert_eq!(glibc_version(b"GLIBC_PRIVATE"), None);
        assert_eq!(glibc_version(b"GCC_3.0"), None);
        assert!((2, 34) > (2, 9));
    }

    /// Headers that are not 64-bit little-endian x86_64/aarch64 ELF are refused with a reason.
    #[test]
    fn elf_headers() {
        assert!(elf_info(b"#!/bin/sh\n").unwrap_err().contains("not an ELF"));
        let mut h = vec![0u8; 64];
        h[..4].copy_from_slice(b"\x7fELF");
        h[4] = 1;
        h[5] = 1;
        assert!(elf_info(&h).unwrap_err().contains("64-bit"));
        h[4] = 2;
        h[16] = 3;
        h[18] = 183;
        let info = elf_info(&h).unwrap();
        assert_eq!(info.arch, Arch::Aarch64);
        assert!(info.dynamic);
        assert_eq!(info.glibc, None);
        h[18] = 40; // ARM (32-bit)
        assert!(elf_info(&h).unwrap_err().contains("machine 40"));
    }

    /// The running test binary (a glibc build) needs a glibc version that the table walk finds.
    #[test]
    fn glibc_of_a_real_binary() {
        let exe = std::env::current_exe().unwrap();
        let bytes = std::fs::read(exe).unwrap();
        let info = elf_info(&bytes).unwrap();
        if cfg!(target_env = "gnu") {
            assert!(info.glibc.is_some_and(|v| v >= (2, 2)), "{info:?}");
        }
    }

    /// Two builds of the same entries give the same bytes, with entries in name order.
    #[test]
    fn zip_is_deterministic() {
        let make = || {
            let mut entries: Vec<Entry<'_>> = vec![
                ("b", 0o644, Some(b"two".as_slice())),
                ("a/", 0o755, None),
                ("a/x", 0o755, Some(b"one".as_slice())),
            ];
            layer_zip(&mut entries).unwrap()
        };
        let first = make();
        assert_eq!(first, make());
        let archive = zip::ZipArchive::new(Cursor::new(first)).unwrap();
        let names: Vec<String> = archive
            .file_names()
            .map(|n| n.unwrap().into_owned())
            .collect();
        assert_eq!(names, ["a/", "a/x", "b"]);
    }
}
