/** Memory planning: tensor liveness and the static arena planner. */
export {
  type ArenaBuffer,
  type ArenaPlan,
  DEFAULT_ARENA_ALIGNMENT,
  type GraphArenaPlan,
  greedyArenaPlan,
  planArena,
} from "./arena-planner.js";
export { livenessAnalysis, type TensorLifetime, tensorLifetimes } from "./liveness.js";
