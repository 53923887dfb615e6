// levelOf: 0 at -60 dBFS and below, 1 at full scale, linear in dB between.
import assert from "node:assert/strict";
import { test } from "node:test";
import { levelOf } from "../../../web/static/js/phone/meter.js";

const constant = (v, n = 512) => new Float32Array(n).fill(v);

test("silence and full scale", () => {
  assert.equal(levelOf(constant(0)), 0);
  assert.equal(levelOf(constant(1)), 1);
  assert.equal(levelOf(Float32Array.from({ length: 512 }, (_, i) => (i % 2 ? 1 : -1))), 1);
});

test("decibels between", () => {
  assert.ok(Math.abs(levelOf(constant(10 ** (-30 / 20))) - 0.5) < 1e-6);  // -30 dBFS
  assert.ok(Math.abs(levelOf(constant(10 ** (-6 / 20))) - 0.9) < 1e-6);   // -6 dBFS
  assert.equal(levelOf(constant(10 ** (-70 / 20))), 0);                    // below the floor
  assert.equal(levelOf([]), 0);
});
