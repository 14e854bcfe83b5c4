import { mergeConfig } from 'vitest/config';
import { projectTestConfig } from '../../vitest.shared';

export default mergeConfig(projectTestConfig, { test: { globalSetup: ['test/support/shared-cluster.ts'] } });
