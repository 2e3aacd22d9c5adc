import fc from "fast-check";
import { goldenSection, mapLinearFit } from "./map-fit.js";

describe("mapLinearFit", () => {
  it("recovers the coefficients of exact data when the priors are weak", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.1, max: 10, noNaN: true }), { minLength: 3, maxLength: 3 }),
        (truth) => {
          // Six independent rows for three coefficients: the data determine θ.
          const xs = [
            [1, 0, 0],
            [0, 1, 0],
            [0, 0, 1],
            [1, 2, 3],
            [3, 1, 2],
            [2, 3, 1],
          ];
          const rows = xs.map((x) => ({ x, y: x.reduce((s, v, j) => s + v * truth[j]!, 0), sd: 1e-6 }));
          const fit = mapLinearFit(
            rows,
            [0, 1, 2].map(() => ({ mean: 5, sd: 1e3 })),
          );
          fit.theta.forEach((t, j) => {
            expect(t).toBeCloseTo(truth[j]!, 4);
          });
        },
      ),
      { seed: 7, numRuns: 50 },
    );
  });

  it("keeps coefficients the data cannot see at their prior mean", () => {
    const fit = mapLinearFit(
      [{ x: [2, 0], y: 8, sd: 1e-6 }],
      [
        { mean: 1, sd: 1 },
        { mean: 42, sd: 1 },
      ],
    );
    expect(fit.theta[0]).toBeCloseTo(4, 5);
    expect(fit.theta[1]).toBeCloseTo(42, 9);
  });

  it("balances one measurement against a prior by their variances", () => {
    // Posterior of θ with y = θ (sd 1) and prior N(0, 1): the mean of the two, y/2.
    const fit = mapLinearFit([{ x: [1], y: 10, sd: 1 }], [{ mean: 0, sd: 1 }]);
    expect(fit.theta[0]).toBeCloseTo(5, 9);
  });

  it("never returns a negative coefficient", () => {
    // The unconstrained solution is θ = (−1, 3); the constrained one pins θ0 to 0.
    const rows = [
      { x: [1, 1], y: 2, sd: 1e-3 },
      { x: [1, 2], y: 5, sd: 1e-3 },
    ];
    const fit = mapLinearFit(rows, [
      { mean: 0, sd: 100 },
      { mean: 0, sd: 100 },
    ]);
    expect(fit.theta[0]).toBe(0);
    expect(fit.theta[1]).toBeGreaterThan(0);
  });
});

describe("goldenSection", () => {
  it("finds the minimum of a parabola", () => {
    expect(goldenSection((x) => (x - Math.PI) ** 2 + 1, 0, 10)).toBeCloseTo(Math.PI, 5);
  });
});
