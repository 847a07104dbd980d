//! `region/*`: moving region data through `&dyn GuestMemory` against a plain
//! `copy_from_slice` of the same size (the `memcpy` line of each group).
//!
//! Each `guest_memory` iteration is a whole host-side call: load the 12-byte
//! region struct, check it, check the limit, copy the data (and, for writes,
//! write the updated struct back).

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use cw_region::testing::VecMemory;
use cw_region::{GuestMemory, Region, read_region, read_region_into, write_region};

/// 64 B to 1 MiB in steps of four: the throughput curve of the report.
const SIZES_BYTES: [usize; 8] = [
    64,
    256,
    1024,
    4 * 1024,
    16 * 1024,
    64 * 1024,
    256 * 1024,
    1024 * 1024,
];

/// A memory holding one region of `size` bytes (full, `length == capacity`)
/// at a page-aligned offset, and the address of its struct.
fn memory_with_region(size: usize) -> (VecMemory, u32) {
    let offset = 4096u32;
    let capacity = u32::try_from(size).unwrap();
    let ptr = offset + capacity;
    let mut bytes = vec![0u8; ptr as usize + Region::ENCODED_SIZE_BYTES];
    for (i, b) in bytes[offset as usize..ptr as usize].iter_mut().enumerate() {
        *b = i as u8;
    }
    let region = Region {
        offset,
        capacity,
        length: capacity,
    };
    bytes[ptr as usize..].copy_from_slice(&region.to_le_bytes());
    (VecMemory::from_bytes(bytes), ptr)
}

fn read(c: &mut Criterion) {
    let mut group = c.benchmark_group("region/read");
    for size in SIZES_BYTES {
        group.throughput(Throughput::Bytes(size as u64));
        let source = vec![7u8; size];
        let mut buf = vec![0u8; size];
        group.bench_with_input(BenchmarkId::new("memcpy", size), &size, |b, _| {
            b.iter(|| {
                buf.copy_from_slice(black_box(&source));
                black_box(&buf);
            });
        });
        let (memory, ptr) = memory_with_region(size);
        let memory: &dyn GuestMemory = &memory;
        group.bench_with_input(BenchmarkId::new("guest_memory", size), &size, |b, _| {
            b.iter(|| {
                let n = read_region_into(black_box(memory), black_box(ptr), &mut buf).unwrap();
                black_box(&buf[..n]);
            });
        });
    }
    group.finish();
}

fn read_vec(c: &mut Criterion) {
    let mut group = c.benchmark_group("region/read_vec");
    for size in SIZES_BYTES {
        group.throughput(Throughput::Bytes(size as u64));
        let source = vec![7u8; size];
        group.bench_with_input(BenchmarkId::new("to_vec", size), &size, |b, _| {
            b.iter(|| black_box(black_box(source.as_slice()).to_vec()));
        });
        let (memory, ptr) = memory_with_region(size);
        let memory: &dyn GuestMemory = &memory;
        group.bench_with_input(BenchmarkId::new("guest_memory", size), &size, |b, _| {
            b.iter(|| black_box(read_region(black_box(memory), black_box(ptr), size).unwrap()));
        });
    }
    group.finish();
}

fn write(c: &mut Criterion) {
    let mut group = c.benchmark_group("region/write");
    for size in SIZES_BYTES {
        group.throughput(Throughput::Bytes(size as u64));
        let data = vec![9u8; size];
        let mut target = vec![0u8; size];
        group.bench_with_input(BenchmarkId::new("memcpy", size), &size, |b, _| {
            b.iter(|| {
                target.copy_from_slice(black_box(&data));
                black_box(&target);
            });
        });
        let (memory, ptr) = memory_with_region(size);
        let memory: &dyn GuestMemory = &memory;
        group.bench_with_input(BenchmarkId::new("guest_memory", size), &size, |b, _| {
            b.iter(|| write_region(black_box(memory), black_box(ptr), black_box(&data)).unwrap());
        });
    }
    group.finish();
}

criterion_group!(benches, read, read_vec, write);
criterion_main!(benches);
