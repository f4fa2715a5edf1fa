// Test doubles of @lrat/miners, published as `@lrat/miners/testing`: a deterministic judge that needs
// no LLM and no verdict file (the Python reference applies the same rule).
export { hashJudge } from './hash-judge';
