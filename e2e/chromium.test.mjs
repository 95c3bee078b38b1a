// Full flow in real Chromium (playwright-core) with the unpacked extension and the real host.
import { flowSuite } from './lib/suite.mjs';

flowSuite('chromium', { brokerHost: 'www.tbank.ru', logosHost: 'logos-up.com' });
