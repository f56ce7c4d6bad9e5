export * from './network';
export * from './otr-parse';
export * from './peer';
export * from './start';
