//! A small, bounds-checked reader for named sections of ELF (32/64-bit, either byte order),
//! PE and 64-bit Mach-O executables. Every read is checked: a truncated or lying header gives
//! `None`, never a panic.

/// The file bytes of the section called `name` (`.dep-v0`), if the executable has one.
pub(crate) fn section<'a>(bytes: &'a [u8], name: &str) -> Option<&'a [u8]> {
    if bytes.starts_with(b"\x7fELF") {
        elf_section(bytes, name)
    } else if bytes.starts_with(b"MZ") {
        pe_section(bytes, name)
    } else if bytes.starts_with(b"\xcf\xfa\xed\xfe") {
        macho64_section(bytes, name)
    } else {
        None
    }
}

#[derive(Clone, Copy)]
struct Reader<'a> {
    bytes: &'a [u8],
    big_endian: bool,
}

impl<'a> Reader<'a> {
    fn slice(&self, at: u64, len: u64) -> Option<&'a [u8]> {
        let start = usize::try_from(at).ok()?;
        let end = start.checked_add(usize::try_from(len).ok()?)?;
        self.bytes.get(start..end)
    }

    fn u16(&self, at: u64) -> Option<u64> {
        let b: [u8; 2] = self.slice(at, 2)?.try_into().ok()?;
        Some(u64::from(if self.big_endian {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        }))
    }

    fn u32(&self, at: u64) -> Option<u64> {
        let b: [u8; 4] = self.slice(at, 4)?.try_into().ok()?;
        Some(u64::from(if self.big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        }))
    }

    fn u64(&self, at: u64) -> Option<u64> {
        let b: [u8; 8] = self.slice(at, 8)?.try_into().ok()?;
        Some(if self.big_endian {
            u64::from_be_bytes(b)
        } else {
            u64::from_le_bytes(b)
        })
    }

    /// A NUL-terminated (or `max`-long) name at `at`.
    fn name(&self, at: u64, max: u64) -> Option<&'a [u8]> {
        let start = usize::try_from(at).ok()?;
        let rest = self.bytes.get(start..)?;
        let rest = &rest[..rest.len().min(usize::try_from(max).ok()?)];
        Some(
            rest.iter()
                .position(|b| *b == 0)
                .map_or(rest, |n| &rest[..n]),
        )
    }
}

/// At most this many section headers or load commands are looked at.
const MAX_SECTIONS: u64 = 4096;

fn elf_section<'a>(bytes: &'a [u8], want: &str) -> Option<&'a [u8]> {
    const SHT_NOBITS: u64 = 8;
    let class = *bytes.get(4)?;
    let r = Reader {
        bytes,
        big_endian: *bytes.get(5)? == 2,
    };
    let wide = match class {
        1 => false,
        2 => true,
        _ => return None,
    };
    let (shoff, shentsize, shnum, shstrndx) = if wide {
        (r.u64(0x28)?, r.u16(0x3a)?, r.u16(0x3c)?, r.u16(0x3e)?)
    } else {
        (r.u32(0x20)?, r.u16(0x2e)?, r.u16(0x30)?, r.u16(0x32)?)
    };
    if shnum > MAX_SECTIONS || shentsize < if wide { 64 } else { 40 } {
        return None;
    }
    // (name offset, type, file offset, size) of section `i`.
    let header = |i: u64| -> Option<(u64, u64, u64, u64)> {
        let at = shoff.checked_add(i.checked_mul(shentsize)?)?;
        if wide {
            Some((r.u32(at)?, r.u32(at + 4)?, r.u64(at + 24)?, r.u64(at + 32)?))
        } else {
            Some((r.u32(at)?, r.u32(at + 4)?, r.u32(at + 16)?, r.u32(at + 20)?))
        }
    };
    let (_, _, strtab, strtab_size) = header(shstrndx)?;
    for i in 0..shnum {
        let Some((name_off, kind, offset, size)) = header(i) else {
            continue;
        };
        if name_off >= strtab_size || kind == SHT_NOBITS {
            continue;
        }
        let name = r.name(strtab.checked_add(name_off)?, strtab_size - name_off)?;
        if name == want.as_bytes() {
            return r.slice(offset, size);
        }
    }
    None
}

fn pe_section<'a>(bytes: &'a [u8], want: &str) -> Option<&'a [u8]> {
    let r = Reader {
        bytes,
        big_endian: false,
    };
    let pe = r.u32(0x3c)?;
    if r.slice(pe, 4)? != b"PE\0\0" {
        return None;
    }
    let count = r.u16(pe + 6)?;
    let optional_size = r.u16(pe + 20)?;
    let table = pe + 24 + optional_size;
    for i in 0..count.min(MAX_SECTIONS) {
        let at = table + i * 40;
        let name = r.name(at, 8)?;
        if name != want.as_bytes() {
            continue;
        }
        let virtual_size = r.u32(at + 8)?;
        let raw_size = r.u32(at + 16)?;
        let raw_at = r.u32(at + 20)?;
        let size = if virtual_size > 0 && virtual_size < raw_size {
            virtual_size
        } else {
            raw_size
        };
        return r.slice(raw_at, size);
    }
    None
}

fn macho64_section<'a>(bytes: &'a [u8], want: &str) -> Option<&'a [u8]> {
    const LC_SEGMENT_64: u64 = 0x19;
    let r = Reader {
        bytes,
        big_endian: false,
    };
    let ncmds = r.u32(16)?;
    let mut at: u64 = 32;
    for _ in 0..ncmds.min(MAX_SECTIONS) {
        let cmd = r.u32(at)?;
        let size = r.u32(at + 4)?;
        if size < 8 {
            return None;
        }
        if cmd == LC_SEGMENT_64 {
            let nsects = r.u32(at + 64)?;
            for s in 0..nsects.min(MAX_SECTIONS) {
                let sect = at + 72 + s * 80;
                if r.name(sect, 16)? == want.as_bytes() {
                    return r.slice(r.u32(sect + 48)?, r.u64(sect + 40)?);
                }
            }
        }
        at = at.checked_add(size)?;
    }
    None
}

/// The file offset of virtual address `addr` in an ELF (through its `PT_LOAD` segments), PE
/// (image base plus section addresses) or 64-bit Mach-O (segments), if it is backed by file
/// bytes.
pub(crate) fn file_offset(bytes: &[u8], addr: u64) -> Option<u64> {
    if bytes.starts_with(b"\x7fELF") {
        elf_offset(bytes, addr)
    } else if bytes.starts_with(b"MZ") {
        pe_offset(bytes, addr)
    } else if bytes.starts_with(b"\xcf\xfa\xed\xfe") {
        macho64_offset(bytes, addr)
    } else {
        None
    }
}

/// `addr` inside `[start, start + size)` → `file_start + (addr - start)`.
fn map(addr: u64, start: u64, size: u64, file_start: u64) -> Option<u64> {
    (addr >= start && addr - start < size).then(|| file_start.checked_add(addr - start))?
}

fn elf_offset(bytes: &[u8], addr: u64) -> Option<u64> {
    const PT_LOAD: u64 = 1;
    let wide = *bytes.get(4)? == 2;
    let r = Reader {
        bytes,
        big_endian: *bytes.get(5)? == 2,
    };
    let (phoff, phentsize, phnum) = if wide {
        (r.u64(0x20)?, r.u16(0x36)?, r.u16(0x38)?)
    } else {
        (r.u32(0x1c)?, r.u16(0x2a)?, r.u16(0x2c)?)
    };
    for i in 0..phnum.min(MAX_SECTIONS) {
        let at = phoff.checked_add(i.checked_mul(phentsize)?)?;
        // (type, file offset, virtual address, size in the file)
        let (kind, offset, vaddr, filesz) = if wide {
            (r.u32(at)?, r.u64(at + 8)?, r.u64(at + 16)?, r.u64(at + 32)?)
        } else {
            (r.u32(at)?, r.u32(at + 4)?, r.u32(at + 8)?, r.u32(at + 16)?)
        };
        if kind == PT_LOAD
            && let Some(off) = map(addr, vaddr, filesz, offset)
        {
            return Some(off);
        }
    }
    None
}

fn pe_offset(bytes: &[u8], addr: u64) -> Option<u64> {
    let r = Reader {
        bytes,
        big_endian: false,
    };
    let pe = r.u32(0x3c)?;
    if r.slice(pe, 4)? != b"PE\0\0" {
        return None;
    }
    let count = r.u16(pe + 6)?;
    let optional_size = r.u16(pe + 20)?;
    let optional = pe + 24;
    let image_base = match r.u16(optional)? {
        0x20b => r.u64(optional + 24)?,
        _ => r.u32(optional + 28)?,
    };
    let table = optional + optional_size;
    for i in 0..count.min(MAX_SECTIONS) {
        let at = table + i * 40;
        let start = image_base.checked_add(r.u32(at + 12)?)?;
        if let Some(off) = map(addr, start, r.u32(at + 16)?, r.u32(at + 20)?) {
            return Some(off);
        }
    }
    None
}

fn macho64_offset(bytes: &[u8], addr: u64) -> Option<u64> {
    const LC_SEGMENT_64: u64 = 0x19;
    let r = Reader {
        bytes,
        big_endian: false,
    };
    let mut at: u64 = 32;
    for _ in 0..r.u32(16)?.min(MAX_SECTIONS) {
        let size = r.u32(at + 4)?;
        if size < 8 {
            return None;
        }
        if r.u32(at)? == LC_SEGMENT_64
            && let Some(off) = map(addr, r.u64(at + 24)?, r.u64(at + 48)?, r.u64(at + 40)?)
        {
            return Some(off);
        }
        at = at.checked_add(size)?;
    }
    None
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    /// A minimal 64-bit little-endian ELF with a `.shstrtab` and one named section.
    pub(crate) fn elf64_with_section(name: &str, data: &[u8]) -> Vec<u8> {
        let mut strtab = b"\0.shstrtab\0".to_vec();
        let name_off = u32::try_from(strtab.len()).unwrap();
        strtab.extend_from_slice(name.as_bytes());
        strtab.push(0);
        let mut b = vec![0u8; 64];
        b[..4].copy_from_slice(b"\x7fELF");
        b[4] = 2;
        b[5] = 1;
        let data_at = b.len();
        b.extend_from_slice(data);
        let strtab_at = b.len();
        b.extend_from_slice(&strtab);
        let shoff = b.len();
        let mut header = |name: u32, kind: u32, off: usize, size: usize| {
            let mut h = vec![0u8; 64];
            h[..4].copy_from_slice(&name.to_le_bytes());
            h[4..8].copy_from_slice(&kind.to_le_bytes());
            h[24..32].copy_from_slice(&(off as u64).to_le_bytes());
            h[32..40].copy_from_slice(&(size as u64).to_le_bytes());
            b.extend_from_slice(&h);
        };
        header(0, 0, 0, 0);
        header(1, 3, strtab_at, strtab.len());
        header(name_off, 1, data_at, data.len());
        b[0x28..0x30].copy_from_slice(&(shoff as u64).to_le_bytes());
        b[0x3a..0x3c].copy_from_slice(&64u16.to_le_bytes());
        b[0x3c..0x3e].copy_from_slice(&3u16.to_le_bytes());
        b[0x3e..0x40].copy_from_slice(&1u16.to_le_bytes());
        b
    }

    /// A named ELF section is found; other names are not; every truncation is safe.
    #[test]
    fn elf_section_lookup_and_truncation() {
        let elf = elf64_with_section(".dep-v0", b"payload");
        assert_eq!(section(&elf, ".dep-v0"), Some(&b"payload"[..]));
        assert_eq!(section(&elf, ".text"), None);
        for n in 0..elf.len() {
            let _ = section(&elf[..n], ".dep-v0");
        }
        let mut lying = elf.clone();
        lying[0x3c..0x3e].copy_from_slice(&u16::MAX.to_le_bytes());
        assert_eq!(section(&lying, ".dep-v0"), None);
    }

    /// A minimal 64-bit Mach-O with a `__DATA` segment holding a `.dep-v0` section: the
    /// section is found and the segment maps virtual addresses to file offsets.
    #[test]
    fn macho64_section_and_addresses() {
        let data_at: usize = 32 + 72 + 80;
        let mut b = vec![0u8; data_at];
        b[..4].copy_from_slice(b"\xcf\xfa\xed\xfe");
        b[16..20].copy_from_slice(&1u32.to_le_bytes());
        let cmd = 32;
        b[cmd..cmd + 4].copy_from_slice(&0x19u32.to_le_bytes());
        b[cmd + 4..cmd + 8].copy_from_slice(&(72u32 + 80).to_le_bytes());
        b[cmd + 8..cmd + 14].copy_from_slice(b"__DATA");
        b[cmd + 24..cmd + 32].copy_from_slice(&0x1_0000u64.to_le_bytes());
        b[cmd + 40..cmd + 48].copy_from_slice(&(data_at as u64).to_le_bytes());
        b[cmd + 48..cmd + 56].copy_from_slice(&4u64.to_le_bytes());
        b[cmd + 64..cmd + 68].copy_from_slice(&1u32.to_le_bytes());
        let sect = cmd + 72;
        b[sect..sect + 7].copy_from_slice(b".dep-v0");
        b[sect + 16..sect + 22].copy_from_slice(b"__DATA");
        b[sect + 40..sect + 48].copy_from_slice(&4u64.to_le_bytes());
        b[sect + 48..sect + 52].copy_from_slice(&u32::try_from(data_at).unwrap().to_le_bytes());
        b.extend_from_slice(b"zlib");
        assert_eq!(section(&b, ".dep-v0"), Some(&b"zlib"[..]));
        assert_eq!(file_offset(&b, 0x1_0002), Some(data_at as u64 + 2));
        assert_eq!(file_offset(&b, 0x1_0004), None);
        for n in 0..b.len() {
            let _ = section(&b[..n], ".dep-v0");
            let _ = file_offset(&b[..n], 0x1_0002);
        }
    }

    /// A minimal PE with one section named `.dep-v0` is read.
    #[test]
    fn pe_section_lookup() {
        let mut b = vec![0u8; 0x80];
        b[..2].copy_from_slice(b"MZ");
        b[0x3c..0x40].copy_from_slice(&0x40u32.to_le_bytes());
        b[0x40..0x44].copy_from_slice(b"PE\0\0");
        b[0x46..0x48].copy_from_slice(&1u16.to_le_bytes());
        // no optional header: the section table starts at 0x40 + 24 = 0x58
        b.resize(0x58 + 40, 0);
        b[0x58..0x5f].copy_from_slice(b".dep-v0");
        b[0x58 + 8..0x58 + 12].copy_from_slice(&3u32.to_le_bytes());
        b[0x58 + 16..0x58 + 20].copy_from_slice(&4u32.to_le_bytes());
        let at = u32::try_from(b.len()).unwrap();
        b[0x58 + 20..0x58 + 24].copy_from_slice(&at.to_le_bytes());
        b.extend_from_slice(b"abcd");
        assert_eq!(section(&b, ".dep-v0"), Some(&b"abc"[..]));
        for n in 0..b.len() {
            let _ = section(&b[..n], ".dep-v0");
        }
    }
}
