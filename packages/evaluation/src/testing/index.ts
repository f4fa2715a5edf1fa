// Test doubles of @lrat/evaluation, published as `@lrat/evaluation/testing`: a searcher that moves
// gold documents up or down, for checking that agents' measured success follows retrieval quality.
export { RankShiftSearcher } from './rank-shift-searcher';
