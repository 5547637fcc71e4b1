export {
  Optimizer,
  type BaseOptions,
  type ParamGroup,
  type ParamGroupInput,
  type Params,
  type ParamState,
  type StateValue,
  type OptimizerStateDict,
} from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, type AdamOptions } from './adam.js';
export { AdamW } from './adamw.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export {
  LRScheduler,
  StepLR,
  MultiStepLR,
  ExponentialLR,
  CosineAnnealingLR,
  LambdaLR,
  type LrLambda,
  type SchedulerStateDict,
} from './lr-scheduler.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions, type ReduceLROnPlateauStateDict } from './reduce-lr-on-plateau.js';
export { stateDictToTensors, stateDictFromTensors, type TensorsAndMetadata } from './state-dict-tensors.js';
