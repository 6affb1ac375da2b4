//! A small ZIP writer (stored entries, no compression) for the personal-data export: enough for
//! every unzip tool, with no dependency. Exports are text and small next to what compression would
//! save in build time.

/// CRC-32 (IEEE), as ZIP requires.
fn crc32(data: &[u8]) -> u32 {
    static TABLE: std::sync::LazyLock<[u32; 256]> = std::sync::LazyLock::new(|| {
        let mut table = [0u32; 256];
        for (i, entry) in table.iter_mut().enumerate() {
            let mut c = u32::try_from(i).unwrap_or(0);
            for _ in 0..8 {
                c = if c & 1 == 1 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            }
            *entry = c;
        }
        table
    });
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc = TABLE[usize::from((crc as u8) ^ b)] ^ (crc >> 8);
    }
    !crc
}

/// Files added in order, written out by `finish`.
#[derive(Default)]
pub struct ZipWriter {
    out: Vec<u8>,
    central: Vec<u8>,
    count: u16,
}

fn u16le(v: &mut Vec<u8>, n: u16) {
    v.extend_from_slice(&n.to_le_bytes());
}

fn u32le(v: &mut Vec<u8>, n: u32) {
    v.extend_from_slice(&n.to_le_bytes());
}

impl ZipWriter {
    /// Adds a file. Names are ASCII paths we choose; sizes stay far below 4 GiB.
    pub fn add(&mut self, name: &str, data: &[u8]) {
        let crc = crc32(data);
        let size = u32::try_from(data.len()).unwrap_or(u32::MAX);
        let name_len = u16::try_from(name.len()).unwrap_or(u16::MAX);
        let offset = u32::try_from(self.out.len()).unwrap_or(u32::MAX);
        // Local file header: version 2.0, flag bit 11 (UTF-8 names), stored, DOS time 1980-01-01.
        let o = &mut self.out;
        u32le(o, 0x0403_4b50);
        u16le(o, 20);
        u16le(o, 0x0800);
        u16le(o, 0);
        u16le(o, 0);
        u16le(o, 0x21);
        u32le(o, crc);
        u32le(o, size);
        u32le(o, size);
        u16le(o, name_len);
        u16le(o, 0);
        o.extend_from_slice(name.as_bytes());
        o.extend_from_slice(data);
        let c = &mut self.central;
        u32le(c, 0x0201_4b50);
        u16le(c, 20);
        u16le(c, 20);
        u16le(c, 0x0800);
        u16le(c, 0);
        u16le(c, 0);
        u16le(c, 0x21);
        u32le(c, crc);
        u32le(c, size);
        u32le(c, size);
        u16le(c, name_len);
        u16le(c, 0);
        u16le(c, 0);
        u16le(c, 0);
        u16le(c, 0);
        u32le(c, 0);
        u32le(c, offset);
        c.extend_from_slice(name.as_bytes());
        self.count += 1;
    }

    pub fn finish(mut self) -> Vec<u8> {
        let central_offset = u32::try_from(self.out.len()).unwrap_or(u32::MAX);
        let central_size = u32::try_from(self.central.len()).unwrap_or(u32::MAX);
        self.out.extend_from_slice(&self.central);
        let o = &mut self.out;
        u32le(o, 0x0605_4b50);
        u16le(o, 0);
        u16le(o, 0);
        u16le(o, self.count);
        u16le(o, self.count);
        u32le(o, central_size);
        u32le(o, central_offset);
        u16le(o, 0);
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_of_known_input() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn archives_list_their_files() {
        let mut zip = ZipWriter::default();
        zip.add("a.txt", b"hello");
        zip.add("dir/b.json", b"{}");
        let bytes = zip.finish();
        assert_eq!(&bytes[..4], &[0x50, 0x4b, 0x03, 0x04]);
        let end = bytes.len() - 22;
        assert_eq!(&bytes[end..end + 4], &[0x50, 0x4b, 0x05, 0x06]);
        assert_eq!(u16::from_le_bytes([bytes[end + 10], bytes[end + 11]]), 2);
    }
}
