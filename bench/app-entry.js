// Starts the built app exactly as `node dist/src/main.js` does (importing it runs main()). The
// benchmark launches it through this file only so that its command line differs from a developer's
// `npm start`: a `pkill -f dist/src/main.js` aimed at that one must not end a measurement midway.
import '../dist/src/main.js';
