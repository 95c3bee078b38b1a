// Full flow in real Firefox ESR (puppeteer-core, WebDriver BiDi) with the extension and the real host.
// Uses the old bank domain and the www. Logos host to cover both variants.
import { flowSuite } from './lib/suite.mjs';

flowSuite('firefox', { brokerHost: 'www.tinkoff.ru', logosHost: 'www.logos-up.com' });
