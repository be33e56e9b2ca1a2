// ONNX Runtime CPU latency of two exported models, side by side (see bench/README.md): A, B and
// the speed-up A/B, e.g. fp32 against int8, or the upsampled head against the factored one.
// Usage: node bench/onnx_latency.js A.onnx B.onnx [--size 512] [--channels 3] [--runs 10]
// Needs onnxruntime-node in ./node_modules (scripts/test.sh installs it) or MEDSEG_NODE_MODULES.
'use strict';
const path = require('path');

function arg(name, fallback) {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

function session(ort, model, threads) {
    return ort.InferenceSession.create(model, {
        intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all',
        logSeverityLevel: 3 });
}

async function timeOnce(session, input) {
    const start = process.hrtime.bigint();
    await session.run({ input });
    return Number(process.hrtime.bigint() - start) / 1e6;
}

function summary(times) {
    const sorted = [...times].sort((a, b) => a - b);
    return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0] };
}

// The two models run alternately, run after run, so that both see the same machine: a clock
// change or a neighbour's load in the middle of the benchmark moves both columns, not one.
async function compare(ort, fp32, int8, threads, input, runs) {
    const a = await session(ort, fp32, threads);
    const b = await session(ort, int8, threads);
    await a.run({ input }); // warm-up (kernel selection, allocations)
    await b.run({ input });
    const ta = [], tb = [];
    for (let i = 0; i < runs; ++i) {
        ta.push(await timeOnce(a, input));
        tb.push(await timeOnce(b, input));
    }
    const ratios = ta.map((t, i) => t / tb[i]).sort((x, y) => x - y);
    return { fp32: summary(ta), int8: summary(tb), ratio: ratios[Math.floor(ratios.length / 2)] };
}

async function main() {
    const [fp32, int8] = process.argv.slice(2, 4);
    if (!fp32 || !int8) {
        console.error('usage: node bench/onnx_latency.js FP32.onnx INT8.onnx [--size N] [--runs N]');
        process.exit(2);
    }
    const modules = process.env.MEDSEG_NODE_MODULES || path.join(__dirname, '..', 'node_modules');
    const ort = require(path.join(modules, 'onnxruntime-node'));
    const size = arg('--size', 512);
    const channels = arg('--channels', 3);
    const runs = arg('--runs', 10);
    const data = new Float32Array(channels * size * size);
    for (let i = 0; i < data.length; ++i) data[i] = Math.sin(i * 0.37) * 1.5;
    const input = new ort.Tensor('float32', data, [1, channels, size, size]);
    console.log(`ONNX Runtime ${require(path.join(modules, 'onnxruntime-node/package.json')).version}` +
                ` CPU, input 1x${channels}x${size}x${size}, median (min) of ${runs} runs, ms`);
    const title = (model) => path.basename(model, '.onnx');
    console.log(`A: ${title(fp32)}\nB: ${title(int8)}`);
    console.log('threads       A               B               A/B');
    for (const threads of [1, 2]) {
        const { fp32: a, int8: b, ratio } = await compare(ort, fp32, int8, threads, input, runs);
        console.log(`${String(threads).padEnd(8)}${a.median.toFixed(1).padStart(8)} (${a.min.toFixed(1)})` +
                    `${b.median.toFixed(1).padStart(10)} (${b.min.toFixed(1)})` +
                    `${ratio.toFixed(2).padStart(10)}x`);
    }
}

main().catch((e) => { console.error(e); process.exit(1); });
