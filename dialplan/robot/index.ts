// The voice robot: flows declared with defineRobot(), run on a call with runRobot().
export { defineRobot, isRobot, type Robot, type RobotDefinition, type Step, type Prompt, type Next, type MenuChoice, type RetryPolicy } from './flow.js';
export { runRobot, startRobot, type RobotOutcome } from './run.js';
export { fillTemplate, templateNames } from './template.js';
export { parseDate, parseNumber, parseYesNo, type SlotType } from './slots.js';
export { RobotCalls, type RobotCallRequest, type RobotCallRecord, type RobotCallAttempt, type RetryPolicy as RobotCallRetry } from './robot-calls.js';
