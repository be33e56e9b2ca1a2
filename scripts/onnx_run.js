// Runs an ONNX model in ONNX Runtime (onnxruntime-node, CPU, default graph optimizations) for
// the exporter's validation and the tests. Usage: node onnx_run.js JOB.json
// JOB: {"modules": "/path/to/node_modules", "model": "m.onnx", "threads": 1,
//       "runs": [{"input": "in.bin", "shape": [1, 3, 33, 47], "outputs": {"logits": "out.bin"}}]}
// Inputs and outputs are raw little-endian float32 (int64 for "labels"). Prints one JSON line:
// {"ok": true, "shapes": [{"logits": [...]}, ...]} or {"ok": false, "error": "..."}.
'use strict';
const fs = require('fs');
const path = require('path');

async function main() {
    const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
    const ort = require(path.join(job.modules, 'onnxruntime-node'));
    const options = { intraOpNumThreads: job.threads || 1, interOpNumThreads: 1 };
    const session = await ort.InferenceSession.create(job.model, options);
    const shapes = [];
    for (const run of job.runs) {
        const bytes = fs.readFileSync(run.input);
        const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
        const feeds = { input: new ort.Tensor('float32', Float32Array.from(data), run.shape) };
        const results = await session.run(feeds);
        const runShapes = {};
        for (const [name, file] of Object.entries(run.outputs)) {
            const t = results[name];
            if (!t) throw new Error('no output ' + name);
            const d = t.data;
            fs.writeFileSync(file, Buffer.from(d.buffer, d.byteOffset, d.byteLength));
            runShapes[name] = t.dims;
        }
        shapes.push(runShapes);
    }
    process.stdout.write(JSON.stringify({ ok: true, shapes }) + '\n');
}

main().catch((e) => {
    process.stdout.write(JSON.stringify({ ok: false, error: String(e && e.message || e) }) + '\n');
    process.exit(1);
});
