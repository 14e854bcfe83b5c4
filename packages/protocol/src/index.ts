export * from './churn-map';
export * from './codec';
export * from './constants';
export * from './errors';
export * from './messages';
export * from './modes';
export * from './paths';
export * from './stat';
