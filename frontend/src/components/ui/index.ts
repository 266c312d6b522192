export * from './Button';
export * from './Field';
export * from './Feedback';
export * from './Card';
export * from './CopyButton';
export * from './StatusBadge';
export * from './RelativeTime';
export * from './Toast';
