export {
  type CasOperation,
  formatHistory,
  HistoryParseError,
  type Operation,
  type Outcome,
  parseHistory,
  parseOperation,
  type ReadOperation,
  type Value,
  type WriteOperation,
} from './history';
export {
  CHECK_STEPS_MAX_DEFAULT,
  type CheckOptions,
  type CheckResult,
  checkHistory,
  checkKey,
  type Explanation,
  type KeyResult,
  type Verdict,
} from './linearizability';
